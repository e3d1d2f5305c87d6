/*
 * cpu/exec.c: the execution loop of one vCPU: deliver exceptions and interrupts, find or
 * translate the next block, chain it to the previous one, run it, and come back here by
 * siglongjmp when a helper or the soft-MMU raises a guest exception.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu/cpu-internal.h"
#include "system/main-loop.h"

__thread CPUState *current_cpu;

void cpu_loop_exit(CPUState *cpu)
{
    siglongjmp(cpu->jmp_env, 1);
}

bool cpu_restore_state(CPUState *cpu, uintptr_t retaddr)
{
    if (!retaddr) {
        return false;
    }
    TranslationBlock *tb = tb_find_by_host(retaddr);
    if (!tb) {
        return false;
    }
    uint64_t words[TCG_MAX_INSN_WORDS];
    if (tcg_find_insn(tb->insns, retaddr, words) < 0) {
        return false;
    }
    cpu->ops->restore_state_to_opc(cpu->env, words);
    return true;
}

void cpu_loop_exit_restore(CPUState *cpu, uintptr_t retaddr)
{
    cpu_restore_state(cpu, retaddr);
    cpu_loop_exit(cpu);
}

void cpu_raise_exception_ra(CPUState *cpu, int excp, uintptr_t retaddr)
{
    cpu->exception_index = excp;
    cpu_loop_exit_restore(cpu, retaddr);
}

void cpu_halt(CPUState *cpu)
{
    cpu->halted = true;
    cpu->exception_index = EXCP_HLT;
    cpu_loop_exit(cpu);
}

void cpu_kick(CPUState *cpu)
{
    __atomic_store_n(&cpu->common->exit_request, 1, __ATOMIC_SEQ_CST);
}

void cpu_exit(CPUState *cpu)
{
    __atomic_store_n(&cpu->exit_request, true, __ATOMIC_SEQ_CST);
    cpu_kick(cpu);
    /* Generated code polls the flag; an accelerator running the guest itself (KVM_RUN)
     * must be interrupted. Its kick only signals, so it cannot come back here. */
    const AccelOps *acc = accel_current();
    if (acc != &accel_tcg_ops && acc->kick) {
        acc->kick(cpu);
    }
}

/* Blocks entered by a block that exited at its start have not run: their pc is the one of
 * their first instruction. */
static void restore_from_tb_start(CPUState *cpu, TranslationBlock *tb)
{
    if (tb->insns && tb->insns->n_insns > 0) {
        cpu->ops->restore_state_to_opc(cpu->env, tb->insns->insns[0].words);
    }
}

static void log_exception(CPUState *cpu, int excp)
{
    if (log_enabled(LOG_INT)) {
        uint64_t pc = cpu->ops->get_pc ? cpu->ops->get_pc(cpu) : 0;
        log_printf("cpu%d: exception %d at pc=0x%" PRIx64 "\n", cpu->cpu_index, excp, pc);
    }
}

/* Returns an exit code for the caller, or -1 to keep running. */
static int handle_exception(CPUState *cpu)
{
    int excp = cpu->exception_index;
    if (excp < 0) {
        return -1;
    }
    cpu->exception_index = -1;
    if (excp >= EXCP_FIRST_GENERIC) {
        return excp;
    }
    log_exception(cpu, excp);
    cpu->stats.exceptions++;
    cpu->exception_index = excp;
    cpu->ops->do_interrupt(cpu);
    cpu->exception_index = -1;
    return -1;
}

/* Returns an exit code, or -1 to continue; *chain_ok is cleared if something happened
 * that invalidates the chaining decision. */
static int handle_interrupts(CPUState *cpu, bool *chain_ok)
{
    /* Other threads set these with atomic operations. */
    if (!__atomic_load_n(&cpu->common->exit_request, __ATOMIC_ACQUIRE) &&
        !__atomic_load_n(&cpu->interrupt_request, __ATOMIC_RELAXED) &&
        !__atomic_load_n(&cpu->tlb_flush_pending, __ATOMIC_RELAXED) &&
        !__atomic_load_n(&cpu->exit_request, __ATOMIC_RELAXED)) {
        return -1;
    }
    /* A pending but masked interrupt alone must not stop chaining: only a real exit
     * request or a taken interrupt does. */
    if (__atomic_exchange_n(&cpu->common->exit_request, 0, __ATOMIC_SEQ_CST)) {
        *chain_ok = false;
    }
    tlb_process_pending(cpu);

    unsigned ir = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE);
    if (ir & CPU_INTERRUPT_HALT) {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_HALT);
        cpu->halted = true;
        return EXCP_HLT;
    }
    if (ir & CPU_INTERRUPT_EXITTB) {
        cpu_reset_interrupt(cpu, CPU_INTERRUPT_EXITTB);
        ir &= ~CPU_INTERRUPT_EXITTB;
    }
    if (ir && cpu->ops->exec_interrupt) {
        int before = cpu->exception_index;
        if (cpu->ops->exec_interrupt(cpu, ir)) {
            *chain_ok = false;
            cpu->stats.interrupts++;
            if (log_enabled(LOG_INT)) {
                log_printf("cpu%d: interrupt taken (request 0x%x)\n", cpu->cpu_index, ir);
            }
            if (cpu->exception_index != before) {
                int r = handle_exception(cpu);
                if (r >= 0) {
                    return r;
                }
            }
        }
    }
    if (__atomic_exchange_n(&cpu->exit_request, false, __ATOMIC_SEQ_CST) || cpu->stop_request ||
        cpu->quit_request) {
        return EXCP_INTERRUPT;
    }
    return -1;
}

/* MIMIC_EXEC_STATS=1: per-vCPU counts of the loop's work at exit, to see why generated code
 * leaves for the loop (the figures bench/ READMEs quote). Read racily: they are statistics. */
static void exec_print_stats(void)
{
    for (CPUState *c = cpu_list_head; c; c = c->next) {
        const CPUStats *st = &c->stats;
        fprintf(stderr,
                "mimic: cpu%d: loop entries %" PRIu64 ", jump-cache helper calls %" PRIu64
                ", translated %" PRIu64 ", chain patches %" PRIu64 ", exceptions %" PRIu64
                ", interrupts %" PRIu64 ", invalidations %" PRIu64 ", retranslations %" PRIu64
                ", flushes %" PRIu64 "; jump-cache misses: other pc %" PRIu64
                ", other flags %" PRIu64 ", empty %" PRIu64 "\n",
                c->cpu_index, st->loop_entries, st->jc_helper_calls, st->tbs_translated,
                st->chain_patches, st->exceptions, st->interrupts, st->tb_invalidations,
                st->retranslations, st->flushes, st->jc_miss_conflict, st->jc_miss_flags,
                st->jc_miss_empty);
    }
}

static void exec_register_stats(void)
{
    const char *e = getenv("MIMIC_EXEC_STATS");
    if (e && *e && *e != '0') {
        atexit(exec_print_stats);
    }
}

int cpu_exec(CPUState *cpu)
{
    static pthread_once_t stats_once = PTHREAD_ONCE_INIT;
    pthread_once(&stats_once, exec_register_stats);
    current_cpu = cpu;
    if (cpu->halted) {
        if (!cpu_has_work(cpu)) {
            return EXCP_HALTED;
        }
        cpu->halted = false;
    }
    TCGContext *ctx = cpu_tcg_context(cpu);
    void *env = cpu->env;
    /* volatile: kept across siglongjmp. */
    TranslationBlock *volatile last_tb = NULL;
    volatile int tb_exit = 0;
    volatile uint64_t last_gen = 0; /* flush generation last_tb belongs to */
    int ret;
    /* Callers normally run without the global lock; one that holds it keeps it. */
    const bool bql_at_entry = bql_locked();

    if (sigsetjmp(cpu->jmp_env, 0) != 0) {
        /* A helper, the soft-MMU or the translator raised: nothing of theirs needs
         * cleanup, but we may still hold the code read lock or the global lock. */
        current_cpu = cpu;
        cpu->translate_jmp = NULL;
        if (cpu->translating_tb) {
            free(cpu->translating_tb); /* the guest faulted on its first instruction */
            cpu->translating_tb = NULL;
        }
        if (cpu->running) {
            tb_exec_rdunlock(cpu);
        }
        if (bql_locked() && !bql_at_entry) {
            bql_unlock();
        }
        last_tb = NULL;
    }

    for (;;) {
        bool delivering = cpu->exception_index >= 0 && cpu->exception_index < EXCP_FIRST_GENERIC;
        ret = handle_exception(cpu);
        if (ret >= 0) {
            break;
        }
        if (delivering && cpu->singlestep) {
            ret = EXCP_DEBUG; /* a step that raised stops at the handler */
            break;
        }
        bool chain_ok = last_tb != NULL;
        ret = handle_interrupts(cpu, &chain_ok);
        if (ret >= 0) {
            break;
        }
        if (!chain_ok) {
            last_tb = NULL;
        }

        uint64_t pc, cs_base;
        uint32_t flags, cflags;
        cpu->ops->get_tb_flags(env, &pc, &cs_base, &flags);
        if (cpu->cflags_next_tb) {
            cflags = cpu->cflags_next_tb;
            cpu->cflags_next_tb = 0;
            last_tb = NULL;
        } else if (cpu->singlestep) {
            cflags = CF_SINGLESTEP | 1;
        } else {
            cflags = tcg_singlestep ? 1 : 0;
        }

        tb_exec_rdlock(cpu);
        if (tb_flush_count() != last_gen) {
            last_tb = NULL; /* another vCPU flushed everything since */
        }
        TranslationBlock *tb = tb_lookup(cpu, pc, cs_base, flags, cflags);
        if (!tb) {
            tb = tb_gen_code(cpu, pc, cs_base, flags, cflags);
            if (!tb) {
                tb_exec_rdunlock(cpu);
                if (cpu->ops->do_transaction_failed) {
                    /* The guest's own instruction bus error, if it has one (may not return). */
                    cpu->ops->do_transaction_failed(cpu, tlb_code_paddr(cpu, pc), pc, 1,
                                                    MMU_INST_FETCH, cpu->ops->mmu_index(cpu, true),
                                                    MEMTX_DECODE_ERROR, 0);
                }
                log_printf("cpu%d: cannot execute at pc=0x%" PRIx64 ": not RAM or ROM\n",
                           cpu->cpu_index, pc);
                fprintf(stderr,
                        "mimic: cpu%d: execution at 0x%" PRIx64 " outside RAM/ROM, CPU halted\n",
                        cpu->cpu_index, pc);
                cpu->halted = true;
                cpu->interrupt_request = 0;
                ret = EXCP_HLT;
                break;
            }
        }
        if (tb_flush_count() != last_gen) {
            last_tb = NULL; /* freed by our own flush */
        }
        if (last_tb && !(cflags & CF_SINGLESTEP) && !log_enabled(LOG_NOCHAIN)) {
            tb_add_jump(last_tb, tb_exit, tb);
        }
        if (log_enabled(LOG_CPU) && cpu->ops->dump_state) {
            log_lock();
            cpu->ops->dump_state(cpu, log_file());
            log_unlock();
        }
        if (log_enabled(LOG_EXEC)) {
            log_printf("Trace %d: %p [%016" PRIx64 "/%08x]\n", cpu->cpu_index, tb->code_rx, pc,
                       flags);
        }
        cpu->stats.loop_entries++;
        /* A flush another vCPU asked for while this one waited for the lock or translated
         * (a plain read first: the exchange is a locked instruction on every block entry). */
        if (__atomic_load_n(&cpu->tlb_flush_pending, __ATOMIC_RELAXED)) {
            tlb_process_pending(cpu);
        }
        uintptr_t r = tcg_exec(ctx, env, tb->code_rx);
        /* The block we left may be freed by a flush as soon as the lock is dropped. */
        last_gen = tb_flush_count();
        last_tb = (TranslationBlock *)(r & ~TB_EXIT_MASK);
        tb_exit = (int)(r & TB_EXIT_MASK);
        if (last_tb && tb_exit == (int)TCG_EXIT_REQUESTED) {
            restore_from_tb_start(cpu, last_tb);
            last_tb = NULL;
        }
        tb_exec_rdunlock(cpu);
        if (cpu->tlb_sync_request) {
            /* A broadcast TLB flush: every other vCPU leaves generated code, and flushes
             * before it enters it again (above), before this one goes on. */
            cpu->tlb_sync_request = false;
            tb_exec_exclusive_begin(cpu);
            tb_exec_exclusive_end(cpu);
        }
        if (cflags & CF_SINGLESTEP) {
            ret = EXCP_DEBUG;
            break;
        }
    }
    cpu->translate_jmp = NULL;
    return ret;
}
