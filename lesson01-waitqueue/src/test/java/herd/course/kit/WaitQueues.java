package herd.course.kit;

import static herd.sched.Task.TASK_NORMAL;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import herd.sched.Task;
import herd.wait.WaitQueueEntry;
import herd.wait.WaitQueueHead;
import herd.wait.WakeFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Wait queues in tests: reading a queue, waking it without the wake_up family, holding
 * the lock for the double-underscore functions, and queues of mocked wake functions.
 *
 * <p>Nothing here calls an exercise by itself: each test still needs only the exercises
 * its own id stands for.
 */
public final class WaitQueues {
    /** {@code EPOLLIN}, as a wake-up key: lesson 1 has no {@code herd.fs.Poll} yet. */
    public static final int EPOLLIN = 0x001;
    /** {@code EPOLLRDNORM}, likewise. */
    public static final int EPOLLRDNORM = 0x040;

    private WaitQueues() {
    }

    // ---- entries --------------------------------------------------------------------------------

    /** An entry with no task whose wake function declines (returns 0): one that is not under test. */
    public static WaitQueueEntry callbackEntry(int flags) {
        return new WaitQueueEntry(null, (entry, mode, wakeFlags, key) -> 0, flags);
    }

    /** The entries on {@code wq}, head first. */
    public static List<WaitQueueEntry> entriesOf(WaitQueueHead wq) {
        List<WaitQueueEntry> entries = new ArrayList<>();
        wq.head.entries().forEach(entries::add);
        return entries;
    }

    /** The tasks of the entries on {@code wq}, head first. */
    public static List<Task> tasksOn(WaitQueueHead wq) {
        List<Task> tasks = new ArrayList<>();
        wq.head.entries().forEach(e -> tasks.add(e.task));
        return tasks;
    }

    // ---- waking ---------------------------------------------------------------------------------

    /**
     * Runs {@code call} with the queue's lock held, as {@code __wake_up_common} calls a wake
     * function; returns what it returned. Called while no task runs (from the test, as an
     * interrupt handler), it first checks that nobody left the lock held.
     */
    public static int underLock(WaitQueueHead wq, IntSupplier call) {
        if (Task.current() == null) {
            assertThat(wq.lock.isLocked())
                    .as("the wait queue's lock is held although no task runs: a function returned without spin_unlock")
                    .isFalse();
        }
        wq.lock.lock();
        try {
            return call.getAsInt();
        } finally {
            wq.lock.unlock();
        }
    }

    /**
     * {@code wake_up(wq)} as {@code __wake_up()} does it: {@code __wake_up_common} (L01-E2)
     * under the queue's lock, TASK_NORMAL, one exclusive sleeper. Spelled out here so that
     * the tests of L01-E4 and L01-E5 need only the exercises up to their own, not L01-E6.
     */
    public static void wakeUp(WaitQueueHead wq) {
        underLock(wq, () -> wq.wakeUpCommon(TASK_NORMAL, 1, 0, 0));
    }

    /**
     * Runs {@code body} while this thread holds wq.lock, as the callers of the functions that
     * expect the lock held do, and releases the lock afterwards if it is still held; returns
     * what {@code body} returned. A function that takes the lock again hits the SpinLock's
     * "spinlock recursion", reported as {@code recursion} followed by the SpinLock's message.
     */
    public static <T> T withCallersLock(WaitQueueHead wq, String recursion, Supplier<T> body) {
        wq.lock.lock();
        try {
            return body.get();
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("spinlock recursion")) {
                throw new AssertionError(recursion + e.getMessage(), e);
            }
            throw e;
        } finally {
            if (wq.lock.isHeldByCurrentThread()) {
                wq.lock.unlock();
            }
        }
    }

    /** The same for a {@code body} that returns nothing. */
    public static void withCallersLock(WaitQueueHead wq, String recursion, Runnable body) {
        withCallersLock(wq, recursion, () -> {
            body.run();
            return null;
        });
    }

    // ---- queues of mocked wake functions ---------------------------------------------------------

    /** One wake function call, as the function saw it. */
    public record Call(String label, WaitQueueEntry entry, int mode, int wakeFlags, int key, boolean lockHeld) {
    }

    /** One queued entry: its label, the entry, its mocked wake function, and what the function returns. */
    public record Slot(String label, WaitQueueEntry entry, WakeFunction fn, int ret) {
    }

    /**
     * A wait queue built from a spec such as {@code "N N X0 X"}, whose wake functions record
     * their calls. The spec lists the entries head first: {@code N} a non-exclusive entry,
     * {@code X} an exclusive one, followed by what its wake function returns, 1 when omitted.
     * The queue is built with plain list operations ({@code wq.head.addTail}) and the flags
     * set by hand, so it needs no exercise. Entries are labelled by position and kind:
     * {@code 0:N, 1:N, 2:X, ...}.
     */
    public static final class TestQueue {
        /** More calls than this on a handful of entries means the walk loops. */
        public static final int RUNAWAY_CALLS = 1000;

        public final WaitQueueHead wq = new WaitQueueHead("test-wq");
        public final List<Slot> slots = new ArrayList<>();
        public final List<Call> calls = new ArrayList<>();
        private final String spec;

        /**
         * {@code runaway} gives the failure for a walk that calls more than {@link #RUNAWAY_CALLS}
         * wake functions, from the number of entries; {@code sideEffect} runs inside each wake
         * function before it returns, with the entry it was given.
         */
        public TestQueue(String spec, IntFunction<String> runaway, BiConsumer<Slot, WaitQueueEntry> sideEffect) {
            this.spec = spec;
            String[] tokens = spec.isBlank() ? new String[0] : spec.trim().split("\\s+");
            for (int i = 0; i < tokens.length; i++) {
                String token = tokens[i];
                boolean exclusive = switch (token.charAt(0)) {
                    case 'N' -> false;
                    case 'X' -> true;
                    default -> throw new IllegalArgumentException("bad queue token " + token + " in " + spec);
                };
                int ret = token.length() == 1 ? 1 : Integer.parseInt(token.substring(1));
                String label = i + ":" + token.charAt(0);
                WakeFunction fn = mock(WakeFunction.class, "wake function of entry " + label);
                WaitQueueEntry entry = new WaitQueueEntry(null, fn, exclusive ? WQ_FLAG_EXCLUSIVE : 0);
                Slot slot = new Slot(label, entry, fn, ret);
                when(fn.wake(any(), anyInt(), anyInt(), anyInt())).thenAnswer(invocation -> {
                    if (calls.size() >= RUNAWAY_CALLS) {
                        throw new AssertionError(runaway.apply(slots.size()));
                    }
                    WaitQueueEntry given = invocation.getArgument(0);
                    calls.add(new Call(label, given, invocation.getArgument(1), invocation.getArgument(2),
                            invocation.getArgument(3), wq.lock.isHeldByCurrentThread()));
                    sideEffect.accept(slot, given);
                    return ret;
                });
                wq.head.addTail(entry.entry);
                slots.add(slot);
            }
        }

        /** The queue as written in messages: {@code [0:N->1, 1:X->0]}. */
        public String describe() {
            return slots.stream().map(s -> s.label() + "->" + s.ret()).toList().toString();
        }

        /** The labels of the first {@code n} entries. */
        public List<String> firstLabels(int n) {
            return slots.subList(0, n).stream().map(Slot::label).toList();
        }

        /** The labels of the entries whose function was called, in call order. */
        public List<String> called() {
            return calls.stream().map(Call::label).toList();
        }

        public WakeFunction[] functions() {
            return slots.stream().map(Slot::fn).toArray(WakeFunction[]::new);
        }

        /** The labels of the entries still queued, head first. */
        public List<String> queued() {
            List<String> out = new ArrayList<>();
            for (WaitQueueEntry e : wq.head.entries()) {
                out.add(slots.stream().filter(s -> s.entry() == e).map(Slot::label).findFirst().orElse("?"));
            }
            return out;
        }

        @Override
        public String toString() {
            return spec;
        }
    }
}
