/* SPDX-License-Identifier: MIT */
/*
 * vocab.c - names of states, severities and verdicts (one table each, both
 * spellings), the state a severity asks for, and Icinga's worst-state order.
 */
#include "mc_vocab.h"

#include <stddef.h>

#include "mc_util.h"

struct word {
    const char *lower, *upper;
};

static const struct word state_words[] = {
    [MC_STATE_OK] = {"ok", "OK"},
    [MC_STATE_WARNING] = {"warning", "WARNING"},
    [MC_STATE_CRITICAL] = {"critical", "CRITICAL"},
    [MC_STATE_UNKNOWN] = {"unknown", "UNKNOWN"},
};

static const struct word severity_words[] = {
    [MC_SEV_INFO] = {"info", "INFO"},
    [MC_SEV_WARNING] = {"warning", "WARNING"},
    [MC_SEV_UNKNOWN] = {"unknown", "UNKNOWN"},
    [MC_SEV_CRITICAL] = {"critical", "CRITICAL"},
};

static const char *const verdict_words[] = {
    [MC_VERDICT_PASS] = "pass", [MC_VERDICT_MISMATCH] = "mismatch", [MC_VERDICT_ERROR] = "error",
    [MC_VERDICT_FAIL] = "fail", [MC_VERDICT_NONE] = "none",
};

static const char *const fcrdns_words[] = {
    [MC_FCRDNS_PASS] = "pass",
    [MC_FCRDNS_FAIL] = "fail",
    [MC_FCRDNS_ERROR] = "error",
};

#define WORDS(table) (sizeof table / sizeof table[0])

const char *mc_state_str(enum mc_state state)
{
    return (size_t)state < WORDS(state_words) ? state_words[state].lower : "unknown";
}

const char *mc_state_word(enum mc_state state)
{
    return (size_t)state < WORDS(state_words) ? state_words[state].upper : "UNKNOWN";
}

const char *mc_severity_str(enum mc_severity sev)
{
    return (size_t)sev < WORDS(severity_words) ? severity_words[sev].lower : "unknown";
}

const char *mc_severity_word(enum mc_severity sev)
{
    return (size_t)sev < WORDS(severity_words) ? severity_words[sev].upper : "UNKNOWN";
}

const char *mc_verdict_str(enum mc_verdict verdict)
{
    return (size_t)verdict < WORDS(verdict_words) ? verdict_words[verdict] : "error";
}

const char *mc_fcrdns_str(enum mc_fcrdns fcrdns)
{
    return (size_t)fcrdns < WORDS(fcrdns_words) ? fcrdns_words[fcrdns] : "error";
}

bool mc_state_parse(const char *text, enum mc_state *state)
{
    static const enum mc_state all[] = {MC_STATE_OK, MC_STATE_WARNING, MC_STATE_CRITICAL,
                                        MC_STATE_UNKNOWN};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (mc_ascii_strcasecmp(text, mc_state_str(all[i])) == 0) {
            *state = all[i];
            return true;
        }
    }
    return false;
}

enum mc_state mc_severity_state(enum mc_severity sev)
{
    switch (sev) {
    case MC_SEV_INFO: return MC_STATE_OK;
    case MC_SEV_WARNING: return MC_STATE_WARNING;
    case MC_SEV_UNKNOWN: return MC_STATE_UNKNOWN;
    case MC_SEV_CRITICAL: return MC_STATE_CRITICAL;
    }
    return MC_STATE_UNKNOWN;
}

enum mc_severity mc_state_severity(enum mc_state state)
{
    switch (state) {
    case MC_STATE_OK: return MC_SEV_INFO;
    case MC_STATE_WARNING: return MC_SEV_WARNING;
    case MC_STATE_UNKNOWN: return MC_SEV_UNKNOWN;
    case MC_STATE_CRITICAL: return MC_SEV_CRITICAL;
    }
    return MC_SEV_UNKNOWN;
}

/* Rank in Icinga's worst-state order: critical > unknown > warning > ok. */
static int state_rank(enum mc_state s)
{
    switch (s) {
    case MC_STATE_OK: return 0;
    case MC_STATE_WARNING: return 1;
    case MC_STATE_UNKNOWN: return 2;
    case MC_STATE_CRITICAL: return 3;
    }
    return 2;
}

bool mc_state_worse(enum mc_state a, enum mc_state b)
{
    return state_rank(a) > state_rank(b);
}
