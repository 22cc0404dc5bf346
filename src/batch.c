/* SPDX-License-Identifier: MIT */
/*
 * batch.c - the batch driver (see mc_batch.h).
 *
 * A ring of `window` slots (4 x concurrency) holds the lines between the
 * oldest not yet emitted and the newest read.  A line is read only when a
 * slot is free and fewer than `concurrency` jobs run; in ordered mode a
 * finished job's output waits in its slot until every earlier line is
 * out.  Memory is bounded by the window, whatever the input length.
 *
 * Ownership: slots own their text and output (malloc'd); the driver frees
 * them when the line is emitted.
 */
#include "mc_batch.h"

#include <stdlib.h>
#include <string.h>

#include "mc_util.h"

/* Completions between cache trims. */
#define TRIM_EVERY 256

enum slot_state { SLOT_FREE, SLOT_RUNNING, SLOT_DONE };

struct slot {
    enum slot_state state;
    size_t line_no;
    char *text;
    char *output;
    uint64_t epoch;
};

struct mc_batch {
    const struct mc_batch_config *cfg;
    struct slot *slots;
    size_t window;
    size_t head;     /* oldest slot not emitted (ordered mode) */
    size_t count;    /* slots in use */
    size_t inflight; /* jobs running */
    size_t read, done, line_no;
    bool eof, pumping;
    enum mc_state worst;
    size_t since_trim;
};

static void emit_slot(struct mc_batch *b, struct slot *s)
{
    b->cfg->emit(b->cfg->arg, s->line_no, s->output);
    free(s->output);
    free(s->text);
    *s = (struct slot){.state = SLOT_FREE};
    b->count--;
}

/* Ordered mode: emit finished lines from the head while they are done. */
static void flush(struct mc_batch *b)
{
    while (b->count > 0 && b->slots[b->head].state == SLOT_DONE) {
        emit_slot(b, &b->slots[b->head]);
        b->head = (b->head + 1) % b->window;
    }
}

static size_t find_free_slot(const struct mc_batch *b)
{
    if (!b->cfg->unordered)
        return (b->head + b->count) % b->window;
    for (size_t i = 0; i < b->window; i++)
        if (b->slots[i].state == SLOT_FREE)
            return i;
    return b->window; /* unreachable while count < window */
}

static uint64_t oldest_live_epoch(const struct mc_batch *b, uint64_t now_epoch)
{
    uint64_t oldest = now_epoch + 1;
    for (size_t i = 0; i < b->window; i++)
        if (b->slots[i].state == SLOT_RUNNING && b->slots[i].epoch < oldest)
            oldest = b->slots[i].epoch;
    return oldest;
}

/* Starts jobs while there is room and input. Re-entrant calls (a job that
 * finishes inside its start function) only mark work to do. */
static void pump(struct mc_batch *b)
{
    if (b->pumping)
        return;
    b->pumping = true;
    /* A job started while the resolver is busy would spend its deadline in
     * the resolver's queue; one job always runs, so that the input goes on. */
    while (!b->eof && b->inflight < b->cfg->concurrency && b->count < b->window &&
           (b->inflight == 0 || !mc_resolver_busy(b->cfg->res))) {
        char *text = b->cfg->read(b->cfg->arg);
        if (!text) {
            b->eof = true;
            break;
        }
        b->line_no++;
        b->read++;
        size_t i = find_free_slot(b);
        struct slot *s = &b->slots[i];
        *s = (struct slot){.state = SLOT_RUNNING, .line_no = b->line_no, .text = text};
        s->epoch = mc_resolver_epoch_next(b->cfg->res);
        b->count++;
        b->inflight++;
        if (!b->cfg->start(b->cfg->arg, b, i, s->line_no, s->text)) {
            /* No job on this line: it leaves no output. */
            b->inflight--;
            free(s->text);
            *s = (struct slot){.state = SLOT_FREE};
            b->count--;
            if (!b->cfg->unordered && i != (b->head + b->count) % b->window)
                mc_oom(); /* impossible: the newest slot is the tail */
        }
        if (!b->cfg->unordered)
            flush(b);
    }
    b->pumping = false;
}

void mc_batch_finish(struct mc_batch *b, size_t slot, char *output, enum mc_state state)
{
    struct slot *s = &b->slots[slot];
    s->output = output;
    s->state = SLOT_DONE;
    b->inflight--;
    b->done++;
    if (mc_state_worse(state, b->worst))
        b->worst = state;
    if (b->cfg->unordered)
        emit_slot(b, s);
    else
        flush(b);
    if (++b->since_trim >= TRIM_EVERY) {
        uint64_t now = mc_resolver_epoch_next(b->cfg->res);
        mc_resolver_trim(b->cfg->res, oldest_live_epoch(b, now));
        b->since_trim = 0;
    }
    if (b->cfg->progress)
        b->cfg->progress(b->cfg->arg, b->read, b->done, b->inflight);
    pump(b);
    /* Every line done: answers still out belong to checks that gave up at
     * their own deadline; nobody waits for them. */
    if (b->eof && b->inflight == 0)
        mc_resolver_stop(b->cfg->res);
}

uint64_t mc_batch_epoch(const struct mc_batch *b, size_t slot)
{
    return b->slots[slot].epoch;
}

enum mc_state mc_batch_run(const struct mc_batch_config *config)
{
    struct mc_batch b = {.cfg = config, .worst = MC_STATE_OK};
    size_t conc = config->concurrency ? config->concurrency : 1;
    b.window = conc * 4;
    b.slots = mc_xcalloc(b.window, sizeof *b.slots);
    pump(&b);
    /* Jobs end from the resolver loop, which pulls more lines as they do;
     * the loop returns when nothing is pending. */
    mc_resolver_run(config->res, INT64_MAX);
    if (!config->unordered)
        flush(&b);
    for (size_t i = 0; i < b.window; i++) { /* only after an internal error */
        free(b.slots[i].text);
        free(b.slots[i].output);
    }
    free(b.slots);
    if (config->progress)
        config->progress(config->arg, b.read, b.done, 0);
    return b.worst;
}
