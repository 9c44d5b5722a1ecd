package io.ringtrace.protocol.event;

/**
 * The built-in events: {@code ftrace/print} and {@code ftrace/raw_data}, and the {@code irq} and
 * {@code sched} systems, with the ids, field layouts and {@code print fmt} of a Linux 6.18 x86-64
 * kernel (every {@code format} file reads byte for byte as the kernel's). They are registered in
 * ascending id order, the kernel's own registration order, which is also the order
 * {@code set_event} lists them in.
 */
public final class BuiltinEvents {

    public static final int PRINT_ID = 5;
    public static final int RAW_DATA_ID = 19;
    public static final int IRQ_HANDLER_EXIT_ID = 224;
    public static final int IRQ_HANDLER_ENTRY_ID = 225;
    public static final int SCHED_SWITCH_ID = 372;
    public static final int SCHED_WAKEUP_ID = 374;

    /** {@code common_flags} bits (trace_entry flags). */
    public static final int FLAG_IRQS_OFF = 0x01;
    public static final int FLAG_NEED_RESCHED_LAZY = 0x02;
    public static final int FLAG_NEED_RESCHED = 0x04;
    public static final int FLAG_HARDIRQ = 0x08;
    public static final int FLAG_SOFTIRQ = 0x10;
    public static final int FLAG_PREEMPT_RESCHED = 0x20;
    public static final int FLAG_NMI = 0x40;
    public static final int FLAG_BH_OFF = 0x80;

    /** sched_switch {@code prev_state} bits (TASK_REPORT): S D T t X Z P I, and preempted (+). */
    public static final long TASK_RUNNING = 0;
    public static final long TASK_INTERRUPTIBLE = 0x01;
    public static final long TASK_UNINTERRUPTIBLE = 0x02;
    public static final long TASK_STOPPED = 0x04;
    public static final long TASK_TRACED = 0x08;
    public static final long EXIT_DEAD = 0x10;
    public static final long EXIT_ZOMBIE = 0x20;
    public static final long TASK_PARKED = 0x40;
    public static final long TASK_IDLE = 0x80;
    public static final long TASK_REPORT_MAX = 0x100;

    private BuiltinEvents() {
    }

    private static EventDefinition def(String system, String name) {
        return new EventDefinition(null, system, name);
    }

    private static void reg(EventRegistry r, int id, EventDefinition d) {
        r.register(d, id);
    }

    static void registerAll(EventRegistry r) {
        reg(r, 5, def("ftrace", "print")
                .kind(EventType.Kind.FTRACE_PRINT)
                .number("unsigned long", "ip", 8, false)
                .flexArray("char", "buf", 1)
                .printFmt("\"%ps: %s\", (void *)REC->ip, REC->buf"));
        reg(r, 19, def("ftrace", "raw_data")
                .kind(EventType.Kind.FTRACE_RAW_DATA)
                .number("unsigned int", "id", 4, false)
                .flexArray("char", "buf", 1)
                .printFmt("\"id:%04x %08x\", REC->id, (int)REC->buf[0]"));
        reg(r, 219, def("irq", "tasklet_exit")
                .number("void *", "tasklet", 8, false)
                .number("void *", "func", 8, false)
                .printFmt("\"tasklet=%ps function=%ps\", REC->tasklet, REC->func"));
        reg(r, 220, def("irq", "tasklet_entry")
                .number("void *", "tasklet", 8, false)
                .number("void *", "func", 8, false)
                .printFmt("\"tasklet=%ps function=%ps\", REC->tasklet, REC->func"));
        reg(r, 221, def("irq", "softirq_raise")
                .number("unsigned int", "vec", 4, false)
                .printFmt("\"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, { 1, \"TIMER\" }, { 2, \"NET_TX\" }, { 3, \"NET_RX\" }, { 4, \"BLOCK\" }, { 5, \"IRQ_POLL\" }, { 6, \"TASKLET\" }, { 7, \"SCHED\" }, { 8, \"HRTIMER\" }, { 9, \"RCU\" })"));
        reg(r, 222, def("irq", "softirq_exit")
                .number("unsigned int", "vec", 4, false)
                .printFmt("\"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, { 1, \"TIMER\" }, { 2, \"NET_TX\" }, { 3, \"NET_RX\" }, { 4, \"BLOCK\" }, { 5, \"IRQ_POLL\" }, { 6, \"TASKLET\" }, { 7, \"SCHED\" }, { 8, \"HRTIMER\" }, { 9, \"RCU\" })"));
        reg(r, 223, def("irq", "softirq_entry")
                .number("unsigned int", "vec", 4, false)
                .printFmt("\"vec=%u [action=%s]\", REC->vec, __print_symbolic(REC->vec, { 0, \"HI\" }, { 1, \"TIMER\" }, { 2, \"NET_TX\" }, { 3, \"NET_RX\" }, { 4, \"BLOCK\" }, { 5, \"IRQ_POLL\" }, { 6, \"TASKLET\" }, { 7, \"SCHED\" }, { 8, \"HRTIMER\" }, { 9, \"RCU\" })"));
        reg(r, 224, def("irq", "irq_handler_exit")
                .number("int", "irq", 4, true)
                .number("int", "ret", 4, true)
                .printFmt("\"irq=%d ret=%s\", REC->irq, REC->ret ? \"handled\" : \"unhandled\""));
        reg(r, 225, def("irq", "irq_handler_entry")
                .number("int", "irq", 4, true)
                .string("name")
                .printFmt("\"irq=%d name=%s\", REC->irq, __get_str(name)"));
        reg(r, 355, def("sched", "sched_wake_idle_without_ipi")
                .number("int", "cpu", 4, true)
                .printFmt("\"cpu=%d\", REC->cpu"));
        reg(r, 356, def("sched", "sched_skip_cpuset_numa")
                .chars("comm", 16)
                .number("pid_t", "pid", 4, true)
                .number("pid_t", "tgid", 4, true)
                .number("pid_t", "ngid", 4, true)
                .fixedArray("unsigned long", "mem_allowed", 16, 8, false)
                .printFmt("\"comm=%s pid=%d tgid=%d ngid=%d mem_nodes_allowed=%*pbl\", REC->comm, REC->pid, REC->tgid, REC->ngid, (1 << 10), REC->mem_allowed"));
        reg(r, 357, def("sched", "sched_skip_vma_numa")
                .number("unsigned long", "numa_scan_offset", 8, false)
                .number("unsigned long", "vm_start", 8, false)
                .number("unsigned long", "vm_end", 8, false)
                .number("enum numa_vmaskip_reason", "reason", 4, false)
                .printFmt("\"numa_scan_offset=%lX vm_start=%lX vm_end=%lX reason=%s\", REC->numa_scan_offset, REC->vm_start, REC->vm_end, __print_symbolic(REC->reason, { 0, \"unsuitable\" }, { 1, \"shared_ro\" }, { 2, \"inaccessible\" }, { 3, \"scan_delay\" }, { 4, \"pid_inactive\" }, { 5, \"ignore_pid_inactive\" }, { 6, \"seq_completed\" })"));
        reg(r, 358, def("sched", "sched_swap_numa")
                .number("pid_t", "src_pid", 4, true)
                .number("pid_t", "src_tgid", 4, true)
                .number("pid_t", "src_ngid", 4, true)
                .number("int", "src_cpu", 4, true)
                .number("int", "src_nid", 4, true)
                .number("pid_t", "dst_pid", 4, true)
                .number("pid_t", "dst_tgid", 4, true)
                .number("pid_t", "dst_ngid", 4, true)
                .number("int", "dst_cpu", 4, true)
                .number("int", "dst_nid", 4, true)
                .printFmt("\"src_pid=%d src_tgid=%d src_ngid=%d src_cpu=%d src_nid=%d dst_pid=%d dst_tgid=%d dst_ngid=%d dst_cpu=%d dst_nid=%d\", REC->src_pid, REC->src_tgid, REC->src_ngid, REC->src_cpu, REC->src_nid, REC->dst_pid, REC->dst_tgid, REC->dst_ngid, REC->dst_cpu, REC->dst_nid"));
        reg(r, 359, def("sched", "sched_stick_numa")
                .number("pid_t", "src_pid", 4, true)
                .number("pid_t", "src_tgid", 4, true)
                .number("pid_t", "src_ngid", 4, true)
                .number("int", "src_cpu", 4, true)
                .number("int", "src_nid", 4, true)
                .number("pid_t", "dst_pid", 4, true)
                .number("pid_t", "dst_tgid", 4, true)
                .number("pid_t", "dst_ngid", 4, true)
                .number("int", "dst_cpu", 4, true)
                .number("int", "dst_nid", 4, true)
                .printFmt("\"src_pid=%d src_tgid=%d src_ngid=%d src_cpu=%d src_nid=%d dst_pid=%d dst_tgid=%d dst_ngid=%d dst_cpu=%d dst_nid=%d\", REC->src_pid, REC->src_tgid, REC->src_ngid, REC->src_cpu, REC->src_nid, REC->dst_pid, REC->dst_tgid, REC->dst_ngid, REC->dst_cpu, REC->dst_nid"));
        reg(r, 360, def("sched", "sched_move_numa")
                .number("pid_t", "pid", 4, true)
                .number("pid_t", "tgid", 4, true)
                .number("pid_t", "ngid", 4, true)
                .number("int", "src_cpu", 4, true)
                .number("int", "src_nid", 4, true)
                .number("int", "dst_cpu", 4, true)
                .number("int", "dst_nid", 4, true)
                .printFmt("\"pid=%d tgid=%d ngid=%d src_cpu=%d src_nid=%d dst_cpu=%d dst_nid=%d\", REC->pid, REC->tgid, REC->ngid, REC->src_cpu, REC->src_nid, REC->dst_cpu, REC->dst_nid"));
        reg(r, 361, def("sched", "sched_process_hang")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .printFmt("\"comm=%s pid=%d\", __get_str(comm), REC->pid"));
        reg(r, 362, def("sched", "sched_pi_setprio")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .number("int", "oldprio", 4, true)
                .number("int", "newprio", 4, true)
                .printFmt("\"comm=%s pid=%d oldprio=%d newprio=%d\", __get_str(comm), REC->pid, REC->oldprio, REC->newprio"));
        reg(r, 363, def("sched", "sched_stat_runtime")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .number("u64", "runtime", 8, false)
                .printFmt("\"comm=%s pid=%d runtime=%Lu [ns]\", __get_str(comm), REC->pid, (unsigned long long)REC->runtime"));
        reg(r, 364, def("sched", "sched_prepare_exec")
                .string("interp")
                .string("filename")
                .number("pid_t", "pid", 4, true)
                .string("comm")
                .printFmt("\"interp=%s filename=%s pid=%d comm=%s\", __get_str(interp), __get_str(filename), REC->pid, __get_str(comm)"));
        reg(r, 365, def("sched", "sched_process_exec")
                .string("filename")
                .number("pid_t", "pid", 4, true)
                .number("pid_t", "old_pid", 4, true)
                .printFmt("\"filename=%s pid=%d old_pid=%d\", __get_str(filename), REC->pid, REC->old_pid"));
        reg(r, 366, def("sched", "sched_process_fork")
                .string("parent_comm")
                .number("pid_t", "parent_pid", 4, true)
                .string("child_comm")
                .number("pid_t", "child_pid", 4, true)
                .printFmt("\"comm=%s pid=%d child_comm=%s child_pid=%d\", __get_str(parent_comm), REC->parent_pid, __get_str(child_comm), REC->child_pid"));
        reg(r, 367, def("sched", "sched_process_wait")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d\", __get_str(comm), REC->pid, REC->prio"));
        reg(r, 368, def("sched", "sched_wait_task")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d\", __get_str(comm), REC->pid, REC->prio"));
        reg(r, 369, def("sched", "sched_process_exit")
                .chars("comm", 16)
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .number("bool", "group_dead", 1, false)
                .printFmt("\"comm=%s pid=%d prio=%d group_dead=%s\", REC->comm, REC->pid, REC->prio, REC->group_dead ? \"true\" : \"false\""));
        reg(r, 370, def("sched", "sched_process_free")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d\", __get_str(comm), REC->pid, REC->prio"));
        reg(r, 371, def("sched", "sched_migrate_task")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .number("int", "orig_cpu", 4, true)
                .number("int", "dest_cpu", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d orig_cpu=%d dest_cpu=%d\", __get_str(comm), REC->pid, REC->prio, REC->orig_cpu, REC->dest_cpu"));
        reg(r, 372, def("sched", "sched_switch")
                .chars("prev_comm", 16)
                .number("pid_t", "prev_pid", 4, true)
                .number("int", "prev_prio", 4, true)
                .number("long", "prev_state", 8, true)
                .chars("next_comm", 16)
                .number("pid_t", "next_pid", 4, true)
                .number("int", "next_prio", 4, true)
                .printFmt("\"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) - 1), \"|\", { 0x00000001, \"S\" }, { 0x00000002, \"D\" }, { 0x00000004, \"T\" }, { 0x00000008, \"t\" }, { 0x00000010, \"X\" }, { 0x00000020, \"Z\" }, { 0x00000040, \"P\" }, { 0x00000080, \"I\" }) : \"R\", REC->prev_state & (((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) << 1) ? \"+\" : \"\", REC->next_comm, REC->next_pid, REC->next_prio"));
        reg(r, 373, def("sched", "sched_wakeup_new")
                .chars("comm", 16)
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .number("int", "target_cpu", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, REC->target_cpu"));
        reg(r, 374, def("sched", "sched_wakeup")
                .chars("comm", 16)
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .number("int", "target_cpu", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, REC->target_cpu"));
        reg(r, 375, def("sched", "sched_waking")
                .chars("comm", 16)
                .number("pid_t", "pid", 4, true)
                .number("int", "prio", 4, true)
                .number("int", "target_cpu", 4, true)
                .printFmt("\"comm=%s pid=%d prio=%d target_cpu=%03d\", REC->comm, REC->pid, REC->prio, REC->target_cpu"));
        reg(r, 376, def("sched", "sched_kthread_work_execute_end")
                .number("void *", "work", 8, false)
                .number("void *", "function", 8, false)
                .printFmt("\"work struct %p: function %ps\", REC->work, REC->function"));
        reg(r, 377, def("sched", "sched_kthread_work_execute_start")
                .number("void *", "work", 8, false)
                .number("void *", "function", 8, false)
                .printFmt("\"work struct %p: function %ps\", REC->work, REC->function"));
        reg(r, 378, def("sched", "sched_kthread_work_queue_work")
                .number("void *", "work", 8, false)
                .number("void *", "function", 8, false)
                .number("void *", "worker", 8, false)
                .printFmt("\"work struct=%p function=%ps worker=%p\", REC->work, REC->function, REC->worker"));
        reg(r, 379, def("sched", "sched_kthread_stop_ret")
                .number("int", "ret", 4, true)
                .printFmt("\"ret=%d\", REC->ret"));
        reg(r, 380, def("sched", "sched_kthread_stop")
                .string("comm")
                .number("pid_t", "pid", 4, true)
                .printFmt("\"comm=%s pid=%d\", __get_str(comm), REC->pid"));
    }
}
