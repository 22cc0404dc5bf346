#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# Mail::SPF over an spfquery -file style input (IP SENDER HELO a line), in
# one process with one Mail::SPF::Server: prints one result code a line.
use strict;
use warnings;
use Mail::SPF;

my $server = Mail::SPF::Server->new();
open(my $in, '<', $ARGV[0]) or die "$ARGV[0]: $!";
while (my $line = <$in>) {
    my ($ip, $sender, $helo) = split ' ', $line;
    next unless defined $sender;
    my $code = eval {
        my $req = Mail::SPF::Request->new(
            versions      => [1],
            scope         => 'mfrom',
            identity      => $sender,
            ip_address    => $ip,
            helo_identity => $helo,
        );
        $server->process($req)->code;
    };
    print(defined $code ? "$code\n" : "exception\n");
}
