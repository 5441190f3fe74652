package herd.inet;

import herd.sched.Sched;
import herd.sched.Scheduler;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * {@code struct net}, the network namespace: the sysctls, the SNMP counters and the
 * socket hash tables. A scheduler is one machine, so each has its own {@code init_net}.
 */
public final class Net {
    private static final Map<Scheduler, Net> INIT_NET = Collections.synchronizedMap(new WeakHashMap<>());

    /** {@code net.core.somaxconn}: the cap on {@code listen()}'s backlog (4096 since 5.4). */
    public volatile int somaxconn = 4096;
    /** {@code net.ipv4.tcp_syn_retries}: SYNs resent before {@code connect()} gives up with {@code ETIMEDOUT}. */
    public volatile int tcpSynRetries = 6;
    /**
     * {@code net.ipv4.ip_local_port_range}, its lower and upper end (both included): the ports
     * {@code connect()} of an unbound socket, and {@code bind()} to port 0, choose from.
     */
    public volatile int ipLocalPortLow = InetHashtables.LOCAL_PORT_LOW;
    public volatile int ipLocalPortHigh = InetHashtables.LOCAL_PORT_HIGH;
    /** {@code net.ipv4.tcp_abort_on_overflow}: 1 answers a final ACK that finds the accept queue full with a reset. */
    public volatile int tcpAbortOnOverflow;
    /** The established, listening and bind hash tables ({@code tcp_hashinfo}). */
    public final InetHashtables hashinfo = new InetHashtables();
    /**
     * How long each accepted connection waited in its accept queue (virtual ns), in accept
     * order: what a bpftrace script on {@code inet_csk_reqsk_queue_add} and
     * {@code reqsk_queue_remove} would print.
     */
    public final Queue<Long> acceptQueueSojourns = new ConcurrentLinkedQueue<>();
    private final Map<Mib, AtomicLong> mib = new EnumMap<>(Mib.class);
    private volatile Predicate<SkBuff> dropFilter = skb -> false;

    /** The machine: its clock and its timers. */
    public final Scheduler scheduler;

    private Net(Scheduler scheduler) {
        this.scheduler = scheduler;
        for (Mib m : Mib.values()) {
            mib.put(m, new AtomicLong());
        }
    }

    /** The namespace of the machine {@code scheduler} stands for. */
    public static Net of(Scheduler scheduler) {
        return INIT_NET.computeIfAbsent(scheduler, Net::new);
    }

    /** The namespace of the current task ({@code current->nsproxy->net_ns}). */
    public static Net current() {
        return of(Sched.current().scheduler());
    }

    /** {@code ktime_get()} of this machine, for code that may run in timer context (no current task). */
    public long clock() {
        return scheduler.clock();
    }

    /** {@code NET_INC_STATS()}. */
    void incStats(Mib counter) {
        mib.get(counter).incrementAndGet();
    }

    /** A counter's value, as {@code nstat -az} shows it. */
    public long stat(Mib counter) {
        return mib.get(counter).get();
    }

    /**
     * A firewall rule on the loopback, as {@code iptables -j DROP}: every segment that
     * {@code drop} matches is lost. Tests use it to hold a handshake at a chosen step.
     */
    public void setDropFilter(Predicate<SkBuff> drop) {
        this.dropFilter = drop;
    }

    boolean dropped(SkBuff skb) {
        return dropFilter.test(skb);
    }
}
