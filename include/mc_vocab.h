/* SPDX-License-Identifier: MIT */
/*
 * mc_vocab.h - the words every layer shares: the states of a check (the
 * Nagios exit codes), the severities of findings, the verdicts of an
 * address and of FCrDNS, with their names in both spellings.
 *
 * The lowest layer (util), so that the SPF lint, the FCrDNS logic, the
 * check and the renderers speak of states and severities without one of
 * them including another's header (doc/architecture.md, "Layers").
 *
 * Status and exit code follow the Nagios convention: 0 ok, 1 warning,
 * 2 critical, 3 unknown; the worst finding decides in the order
 * critical > unknown > warning > ok (Icinga's order; mailcheck(1), EXIT
 * STATUS).
 */
#ifndef MC_VOCAB_H
#define MC_VOCAB_H

#include <stdbool.h>

/* Values are the exit codes. */
enum mc_state {
    MC_STATE_OK = 0,
    MC_STATE_WARNING = 1,
    MC_STATE_CRITICAL = 2,
    MC_STATE_UNKNOWN = 3,
};

enum mc_severity {
    MC_SEV_INFO,
    MC_SEV_WARNING,
    MC_SEV_UNKNOWN,
    MC_SEV_CRITICAL,
};

/* Address and family verdicts, in the order mailcheck(1) ranks them
 * (pass < mismatch < error < fail); NONE only for a family. */
enum mc_verdict {
    MC_VERDICT_PASS,
    MC_VERDICT_MISMATCH,
    MC_VERDICT_ERROR,
    MC_VERDICT_FAIL,
    MC_VERDICT_NONE,
};

enum mc_fcrdns {
    MC_FCRDNS_PASS,
    MC_FCRDNS_FAIL,
    MC_FCRDNS_ERROR,
};

const char *mc_state_str(enum mc_state state);     /* "ok", "warning", ... */
const char *mc_severity_str(enum mc_severity sev); /* "info", "warning", ... */
/* The same words in capitals, as status lines print them ("OK", "INFO"). */
const char *mc_state_word(enum mc_state state);
const char *mc_severity_word(enum mc_severity sev);
const char *mc_verdict_str(enum mc_verdict verdict);
const char *mc_fcrdns_str(enum mc_fcrdns fcrdns);
/* Parses "ok|warning|critical|unknown" (any case). */
bool mc_state_parse(const char *text, enum mc_state *state);
/* The state a finding of severity SEV asks for (info: ok). */
enum mc_state mc_severity_state(enum mc_severity sev);
/* The severity of a finding that asks for STATE (ok: info). */
enum mc_severity mc_state_severity(enum mc_state state);
/* True when A is worse than B in the order critical > unknown > warning > ok. */
bool mc_state_worse(enum mc_state a, enum mc_state b);

#endif
