package herd.fix.crosscheck;

import herd.trace.Timeline;
import java.util.ArrayList;
import java.util.List;

/**
 * What the threads of one cross-check run did, in real time, as a {@link Timeline} for the
 * Trace Event Format: each worker's blocking calls ({@code epoll_wait}, {@code select},
 * {@code accept4}) and accepts with their results, the client's connects, and the
 * wake-ups. The kernel does not say when it woke a thread, only how often
 * ({@code voluntary_ctxt_switches}, read after each connection): each wake-up is drawn at
 * the start of the connect that caused it, and one that no return of the worker's call
 * followed is marked hidden.
 */
final class KernelTrace {
    /** What the time axis measures. */
    static final String CLOCK = "real time on this machine (System.nanoTime)";

    private record Call(int lane, long start, long end, String name, String result, boolean failed) {
    }

    private final long origin = System.nanoTime();
    private final List<Call> calls = new ArrayList<>();
    private final List<Timeline.Wake> wakes = new ArrayList<>();

    /** Records a call of lane {@code lane} from {@code start} (a {@link System#nanoTime()}) until now. */
    void call(int lane, String name, long start, String result, boolean failed) {
        long end = System.nanoTime();
        synchronized (calls) {
            calls.add(new Call(lane, start, end, name, result, failed));
        }
    }

    /** Records {@code times} wake-ups of lane {@code to} by lane {@code from} at {@code at}, {@code hidden} of them hidden. */
    void woken(int from, int to, long at, long times, long hidden) {
        synchronized (calls) {
            for (long k = 0; k < times; k++) {
                wakes.add(new Timeline.Wake(at, from, to, k >= times - hidden, null));
            }
        }
    }

    /** The timeline, with {@code lanes} named in order (the lane numbers the calls used). */
    Timeline timeline(String title, List<Timeline.Lane> lanes) {
        synchronized (calls) {
            long end = calls.stream().mapToLong(Call::end).max().orElse(origin);
            return new Timeline(title, CLOCK, origin, end, lanes,
                    calls.stream().map(c -> new Timeline.Bar(c.lane(), c.start(), c.end(), c.name(), c.result(), c.failed(),
                            false)).toList(), List.of(), List.copyOf(wakes), List.of());
        }
    }
}
