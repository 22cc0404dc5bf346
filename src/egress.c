/* SPDX-License-Identifier: MIT */
/*
 * egress.c - the kernel's source address per family (see mc_egress.h).
 * The destination is a.root-servers.net (198.41.0.4, 2001:503:ba3e::2:30):
 * an address every Internet route reaches, never a documentation or
 * private range, which a test network or a VPN may route elsewhere.
 * Nothing leaves the machine: connect() on a datagram socket sends no
 * packet.  No allocation; the socket is closed before return.
 */
#include "mc_egress.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool mc_egress_source(int family, struct mc_ip *out)
{
    struct sockaddr_storage to = {0}, from = {0};
    socklen_t to_len, from_len = sizeof from;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&to;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(53);
        inet_pton(AF_INET, "198.41.0.4", &sin->sin_addr);
        to_len = sizeof *sin;
    } else if (family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&to;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(53);
        inet_pton(AF_INET6, "2001:503:ba3e::2:30", &sin6->sin6_addr);
        to_len = sizeof *sin6;
    } else {
        return false;
    }
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    bool ok = connect(fd, (struct sockaddr *)&to, to_len) == 0 &&
              getsockname(fd, (struct sockaddr *)&from, &from_len) == 0 && from.ss_family == family;
    close(fd);
    if (!ok)
        return false;
    memset(out, 0, sizeof *out);
    out->family = family;
    if (family == AF_INET)
        memcpy(out->bytes, &((struct sockaddr_in *)&from)->sin_addr, 4);
    else
        memcpy(out->bytes, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
    /* An unspecified source means no usable route. */
    static const unsigned char zero[16];
    return memcmp(out->bytes, zero, mc_ip_len(family)) != 0;
}
