/* SPDX-License-Identifier: MIT */
/*
 * report.c - the result tree: names of states and verdicts, findings, and
 * the one rule that turns findings into a status (SPEC.md "Overall status
 * and exit code").  Ownership: the report's arena owns every string in it.
 */
#include "mc_report.h"

#include <string.h>

#include "mc_util.h"

const char *mc_state_str(enum mc_state state)
{
    switch (state) {
    case MC_STATE_OK: return "ok";
    case MC_STATE_WARNING: return "warning";
    case MC_STATE_CRITICAL: return "critical";
    case MC_STATE_UNKNOWN: return "unknown";
    }
    return "unknown";
}

const char *mc_severity_str(enum mc_severity sev)
{
    switch (sev) {
    case MC_SEV_INFO: return "info";
    case MC_SEV_WARNING: return "warning";
    case MC_SEV_UNKNOWN: return "unknown";
    case MC_SEV_CRITICAL: return "critical";
    }
    return "unknown";
}

const char *mc_verdict_str(enum mc_verdict verdict)
{
    switch (verdict) {
    case MC_VERDICT_PASS: return "pass";
    case MC_VERDICT_MISMATCH: return "mismatch";
    case MC_VERDICT_ERROR: return "error";
    case MC_VERDICT_FAIL: return "fail";
    case MC_VERDICT_NONE: return "none";
    }
    return "error";
}

const char *mc_fcrdns_str(enum mc_fcrdns fcrdns)
{
    switch (fcrdns) {
    case MC_FCRDNS_PASS: return "pass";
    case MC_FCRDNS_FAIL: return "fail";
    case MC_FCRDNS_ERROR: return "error";
    }
    return "error";
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

struct mc_report *mc_report_new(void)
{
    struct mc_arena *arena = mc_arena_new();
    struct mc_report *r = mc_arena_alloc(arena, sizeof *r);
    r->arena = arena;
    r->status = MC_STATE_OK;
    r->families[MC_FAMILY_IPV4].status = MC_VERDICT_NONE;
    r->families[MC_FAMILY_IPV6].status = MC_VERDICT_NONE;
    r->families[MC_FAMILY_IPV4].spf_lookups = -1;
    r->families[MC_FAMILY_IPV6].spf_lookups = -1;
    return r;
}

void mc_report_free(struct mc_report *report)
{
    if (report)
        mc_arena_free(report->arena);
}

void mc_report_add_finding(struct mc_report *report, const char *code, enum mc_severity sev,
                           const char *subject, const char *message, const char *fix)
{
    if (report->nfindings == report->findings_cap) {
        size_t cap = report->findings_cap ? report->findings_cap * 2 : 8;
        struct mc_finding *grown = mc_arena_alloc(report->arena, cap * sizeof *grown);
        if (report->nfindings)
            memcpy(grown, report->findings, report->nfindings * sizeof *grown);
        report->findings = grown;
        report->findings_cap = cap;
    }
    report->findings[report->nfindings++] = (struct mc_finding){
        .code = mc_arena_strdup(report->arena, code),
        .severity = sev,
        .subject = mc_arena_strdup(report->arena, subject),
        .message = mc_arena_strdup(report->arena, message),
        .fix = mc_arena_strdup(report->arena, fix),
    };
}

void mc_report_drop_findings(struct mc_report *report, const char *const *codes, size_t ncodes)
{
    size_t kept = 0;
    for (size_t i = 0; i < report->nfindings; i++) {
        bool drop = false;
        for (size_t j = 0; j < ncodes && !drop; j++)
            drop = strcmp(report->findings[i].code, codes[j]) == 0;
        if (!drop)
            report->findings[kept++] = report->findings[i];
    }
    report->nfindings = kept;
}

void mc_report_settle(struct mc_report *report)
{
    enum mc_state worst = MC_STATE_OK;
    for (size_t i = 0; i < report->nfindings; i++) {
        enum mc_state s = mc_severity_state(report->findings[i].severity);
        if (mc_state_worse(s, worst))
            worst = s;
    }
    report->status = worst;
}
