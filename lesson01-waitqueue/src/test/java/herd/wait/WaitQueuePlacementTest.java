package herd.wait;

import static herd.course.kit.WaitQueues.callbackEntry;
import static herd.course.kit.WaitQueues.withCallersLock;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;
import static herd.wait.WaitQueueEntry.WQ_FLAG_WOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import herd.course.Todo;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * L01-E1: where an entry lands on a wait queue, and under which lock.
 *
 * <p>The rule of include/linux/wait.h and kernel/sched/wait.c: {@code add_wait_queue}
 * links a non-exclusive entry at the head, {@code add_wait_queue_exclusive} an exclusive
 * one at the tail, both under {@code wq_head->lock}; so every non-exclusive entry comes
 * before every exclusive one, and one walk from the head wakes all the former before it
 * spends its exclusive budget. The double-underscore helpers ({@code ...Locked} here) do
 * only the linking and expect the caller to hold the lock.
 *
 * <p>The queue is read with {@code wq.head.entries()}, head first; messages print it as
 * {@code [b, a, x(excl)]}.
 */
@Tag("lesson01")
@Tag("L01-E1")
@DisplayName("L01-E1: placing entries on a wait queue")
class WaitQueuePlacementTest {
    private final WaitQueueHead wq = new WaitQueueHead("test-wq");
    private final Map<WaitQueueEntry, String> names = new IdentityHashMap<>();

    /** A callback entry (no task) called {@code name} in messages, with {@code flags}. */
    private WaitQueueEntry entry(String name, int flags) {
        WaitQueueEntry e = callbackEntry(flags);
        names.put(e, name);
        return e;
    }

    /** The names of the queued entries, head first. */
    private List<String> order() {
        List<String> out = new ArrayList<>();
        for (WaitQueueEntry e : wq.head.entries()) {
            out.add(names.getOrDefault(e, "<an entry this test never made>"));
        }
        return out;
    }

    /** The queue, head first, with exclusive entries marked: {@code [b, a, x(excl)]}. */
    private String show() {
        List<String> out = new ArrayList<>();
        for (WaitQueueEntry e : wq.head.entries()) {
            out.add(names.getOrDefault(e, "<unknown>") + (e.isExclusive() ? "(excl)" : ""));
        }
        return out.toString();
    }

    /**
     * Runs {@code body} while this thread holds wq.lock, as the callers of the double-underscore
     * helpers do. A helper that takes the lock again hits the SpinLock's "spinlock recursion",
     * reported here in words.
     */
    private void withLockHeld(Runnable body) {
        withCallersLock(wq, "the double-underscore helpers (addWaitQueueLocked, addWaitQueueEntryTailLocked, "
                + "addWaitQueueExclusiveLocked, removeWaitQueueLocked) are called with wq.lock already held and must "
                + "not take it again; one did (see the stack trace) and hit: ", body);
    }

    /**
     * What {@code call} threw, or null if it returned normally. A not-done exercise is rethrown
     * as it is, so that the learner sees its id rather than a failed check.
     */
    private static Throwable thrownBy(ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        if (thrown instanceof Todo.NotDone notDone) {
            throw notDone;
        }
        return thrown;
    }

    /** What a call did, in words: "returned normally" or "threw ...". */
    private static String outcome(Throwable thrown) {
        return thrown == null ? "returned normally" : "threw " + thrown;
    }

    private static String hex(int flags) {
        return "0x" + Integer.toHexString(flags);
    }

    private void assertLockFree(String after) {
        assertThat(wq.lock.isLocked())
                .as("%s must release wq.lock before it returns; the lock is still held (by %s), "
                        + "so the next waker or sleeper on this queue would spin forever", after, wq.lock.holder())
                .isFalse();
    }

    private void assertLockStillHeld(String after) {
        assertThat(wq.lock.isHeldByCurrentThread())
                .as("%s runs under the caller's wq.lock and must leave it held; after it the lock is held by %s",
                        after, wq.lock.holder())
                .isTrue();
    }

    // ---- add_wait_queue ------------------------------------------------------------------

    @Test
    @DisplayName("add_wait_queue links each new non-exclusive entry at the HEAD")
    void addWaitQueueLinksAtTheHead() {
        WaitQueueEntry a = entry("a", 0);
        WaitQueueEntry b = entry("b", 0);
        WaitQueueEntry c = entry("c", 0);

        wq.addWaitQueue(a);
        assertThat(order()).as("add_wait_queue(a) on an empty queue must queue a alone; the queue is %s", show())
                .containsExactly("a");
        wq.addWaitQueue(b);
        wq.addWaitQueue(c);

        assertThat(order())
                .as("add_wait_queue(a), (b), (c) must each link at the HEAD, giving [c, b, a] (newest first); "
                        + "the queue is %s (an entry at the tail means the wrong queue end)", show())
                .containsExactly("c", "b", "a");
        assertLockFree("add_wait_queue");
    }

    @Test
    @DisplayName("add_wait_queue clears WQ_FLAG_EXCLUSIVE and keeps the other flags")
    void addWaitQueueClearsTheExclusiveFlag() {
        WaitQueueEntry reused = entry("reused", WQ_FLAG_EXCLUSIVE | WQ_FLAG_WOKEN);

        wq.addWaitQueue(reused);

        assertThat(reused.isExclusive())
                .as("add_wait_queue must clear WQ_FLAG_EXCLUSIVE (an entry left exclusive by an earlier sleep "
                        + "becomes non-exclusive); its flags are %s", hex(reused.flags))
                .isFalse();
        assertThat(reused.flags)
                .as("add_wait_queue must clear only WQ_FLAG_EXCLUSIVE (flags &= ~WQ_FLAG_EXCLUSIVE): an entry with "
                        + "flags EXCLUSIVE|WOKEN (0x3) must keep WOKEN (0x2); its flags are %s", hex(reused.flags))
                .isEqualTo(WQ_FLAG_WOKEN);
        assertThat(order()).as("add_wait_queue(reused) must queue the entry; the queue is %s", show())
                .containsExactly("reused");
    }

    // ---- add_wait_queue_exclusive --------------------------------------------------------

    @Test
    @DisplayName("add_wait_queue_exclusive sets WQ_FLAG_EXCLUSIVE and links at the TAIL, first come first served")
    void addWaitQueueExclusiveLinksAtTheTail() {
        WaitQueueEntry x1 = entry("x1", 0);
        WaitQueueEntry x2 = entry("x2", WQ_FLAG_WOKEN);
        WaitQueueEntry x3 = entry("x3", 0);

        wq.addWaitQueueExclusive(x1);
        wq.addWaitQueueExclusive(x2);
        wq.addWaitQueueExclusive(x3);

        assertThat(order())
                .as("add_wait_queue_exclusive(x1), (x2), (x3) must each append at the TAIL, giving [x1, x2, x3] "
                        + "(oldest exclusive sleeper woken first); the queue is %s (wrong queue end?)", show())
                .containsExactly("x1", "x2", "x3");
        for (WaitQueueEntry x : List.of(x1, x2, x3)) {
            assertThat(x.isExclusive())
                    .as("add_wait_queue_exclusive must set WQ_FLAG_EXCLUSIVE on %s; its flags are %s",
                            names.get(x), hex(x.flags))
                    .isTrue();
        }
        assertThat(x2.flags)
                .as("add_wait_queue_exclusive must add WQ_FLAG_EXCLUSIVE to the flags (flags |= WQ_FLAG_EXCLUSIVE), "
                        + "not overwrite them: x2 had WOKEN (0x2) and must now have 0x3; it has %s", hex(x2.flags))
                .isEqualTo(WQ_FLAG_EXCLUSIVE | WQ_FLAG_WOKEN);
        assertLockFree("add_wait_queue_exclusive");
    }

    @Test
    @DisplayName("a non-exclusive entry added after an exclusive one still goes in front of it")
    void nonExclusiveGoesInFrontOfExclusive() {
        WaitQueueEntry x = entry("x", 0);
        WaitQueueEntry n = entry("n", 0);

        wq.addWaitQueueExclusive(x);
        wq.addWaitQueue(n);

        assertThat(order())
                .as("add_wait_queue_exclusive(x) then add_wait_queue(n) must give [n, x(excl)]; the queue is %s",
                        show())
                .containsExactly("n", "x");
        assertThat(x.isExclusive()).as("x was added with add_wait_queue_exclusive; its flags are %s", hex(x.flags))
                .isTrue();
        assertThat(n.isExclusive()).as("n was added with add_wait_queue; its flags are %s", hex(n.flags)).isFalse();
    }

    @Test
    @DisplayName("a mix of add_wait_queue and add_wait_queue_exclusive: newest non-exclusive first, oldest exclusive first")
    void mixedAddsGiveTheKernelOrder() {
        WaitQueueEntry x1 = entry("x1", 0);
        WaitQueueEntry n1 = entry("n1", WQ_FLAG_EXCLUSIVE);
        WaitQueueEntry x2 = entry("x2", 0);
        WaitQueueEntry n2 = entry("n2", 0);
        WaitQueueEntry x3 = entry("x3", 0);

        wq.addWaitQueueExclusive(x1);
        wq.addWaitQueue(n1);
        wq.addWaitQueueExclusive(x2);
        wq.addWaitQueue(n2);
        wq.addWaitQueueExclusive(x3);

        assertThat(order())
                .as("add_wait_queue_exclusive(x1), add_wait_queue(n1), add_wait_queue_exclusive(x2), "
                        + "add_wait_queue(n2), add_wait_queue_exclusive(x3) must give [n2, n1, x1, x2, x3] "
                        + "(non-exclusive at the head, exclusive at the tail); the queue is %s", show())
                .containsExactly("n2", "n1", "x1", "x2", "x3");
        assertThat(show())
                .as("only x1, x2, x3 must be exclusive (n1 started with the flag set: add_wait_queue clears it)")
                .isEqualTo("[n2, n1, x1(excl), x2(excl), x3(excl)]");
    }

    @ParameterizedTest(name = "random sequence of add/add_exclusive/remove, seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    @DisplayName("invariant: after any add_wait_queue / add_wait_queue_exclusive / remove_wait_queue, "
            + "every non-exclusive entry precedes every exclusive one")
    void nonExclusiveEntriesAlwaysPrecedeExclusiveOnes(long seed) {
        Random random = new Random(seed);
        List<WaitQueueEntry> pool = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            // Random leftover flags: add_wait_queue must clear a stale exclusive flag, the other must set it.
            pool.add(entry("e" + i, random.nextBoolean() ? WQ_FLAG_EXCLUSIVE : 0));
        }
        List<WaitQueueEntry> expected = new ArrayList<>();
        List<String> calls = new ArrayList<>();

        for (int step = 0; step < 40; step++) {
            WaitQueueEntry e = pool.get(random.nextInt(pool.size()));
            String name = names.get(e);
            if (expected.contains(e)) {
                calls.add("remove_wait_queue(" + name + ")");
                wq.removeWaitQueue(e);
                expected.remove(e);
            } else if (random.nextBoolean()) {
                calls.add("add_wait_queue(" + name + ")");
                wq.addWaitQueue(e);
                expected.add(0, e);
            } else {
                calls.add("add_wait_queue_exclusive(" + name + ")");
                wq.addWaitQueueExclusive(e);
                expected.add(e);
            }
            String history = String.join(", ", calls.subList(Math.max(0, calls.size() - 8), calls.size()));

            int lastNonExclusive = -1;
            int firstExclusive = Integer.MAX_VALUE;
            int i = 0;
            for (WaitQueueEntry queued : wq.head.entries()) {
                if (queued.isExclusive()) {
                    firstExclusive = Math.min(firstExclusive, i);
                } else {
                    lastNonExclusive = i;
                }
                i++;
            }
            assertThat(lastNonExclusive)
                    .as("after ... %s the queue is %s: a non-exclusive entry sits behind an exclusive one, so "
                            + "wake_up(), which stops after one exclusive entry accepted, would never reach it "
                            + "(non-exclusive entries go to the head, exclusive ones to the tail)", history, show())
                    .isLessThan(firstExclusive);
            List<String> want = expected.stream().map(names::get).toList();
            assertThat(order())
                    .as("after ... %s the queue must be %s (add_wait_queue at the head, add_wait_queue_exclusive "
                            + "at the tail, remove_wait_queue unlinks); it is %s", history, want, show())
                    .containsExactlyElementsOf(want);
            assertThat(wq.lock.isLocked())
                    .as("after %s wq.lock must be free; it is held by %s", calls.get(calls.size() - 1), wq.lock.holder())
                    .isFalse();
        }
    }

    // ---- remove_wait_queue -------------------------------------------------------------------

    @Test
    @DisplayName("remove_wait_queue unlinks the entry from anywhere in the queue and leaves it reusable")
    void removeWaitQueueUnlinks() {
        WaitQueueEntry a = entry("a", 0);
        WaitQueueEntry b = entry("b", 0);
        WaitQueueEntry x = entry("x", 0);
        WaitQueueEntry y = entry("y", 0);
        wq.addWaitQueue(a);
        wq.addWaitQueue(b);
        wq.addWaitQueueExclusive(x);
        wq.addWaitQueueExclusive(y);
        assertThat(order()).as("setup: the queue must be [b, a, x, y]; it is %s", show())
                .containsExactly("b", "a", "x", "y");

        wq.removeWaitQueue(a);
        assertThat(order()).as("remove_wait_queue(a) from the middle of [b, a, x, y] must leave [b, x, y]; "
                + "the queue is %s", show()).containsExactly("b", "x", "y");
        assertThat(a.entry.isEmpty())
                .as("after remove_wait_queue(a) the entry's node must point to itself (list_del_init), "
                        + "so that it can be queued again; it is still linked")
                .isTrue();
        assertLockFree("remove_wait_queue");

        wq.removeWaitQueue(b);
        assertThat(order()).as("remove_wait_queue(b), the first entry, must leave [x, y]; the queue is %s", show())
                .containsExactly("x", "y");
        wq.removeWaitQueue(y);
        assertThat(order()).as("remove_wait_queue(y), the last entry, must leave [x]; the queue is %s", show())
                .containsExactly("x");
        wq.removeWaitQueue(x);
        assertThat(wq.waitqueueActive())
                .as("after removing every entry, the queue must be empty; it is %s", show()).isFalse();

        wq.addWaitQueue(a);
        wq.addWaitQueueExclusive(b);
        assertThat(show())
                .as("removed entries must be reusable: add_wait_queue(a) then add_wait_queue_exclusive(b) on the "
                        + "emptied queue must give [a, b(excl)]")
                .isEqualTo("[a, b(excl)]");
    }

    // ---- the lock: the public functions take it, the ...Locked helpers expect it -------------

    /** The three functions that take {@code wq_head->lock} themselves. */
    enum PublicOp {
        ADD_WAIT_QUEUE("add_wait_queue", WaitQueueHead::addWaitQueue, false),
        ADD_WAIT_QUEUE_EXCLUSIVE("add_wait_queue_exclusive", WaitQueueHead::addWaitQueueExclusive, false),
        REMOVE_WAIT_QUEUE("remove_wait_queue", WaitQueueHead::removeWaitQueue, true);

        final String kernelName;
        final BiConsumer<WaitQueueHead, WaitQueueEntry> call;
        /** True if the entry must be queued before the call. */
        final boolean needsQueuedEntry;

        PublicOp(String kernelName, BiConsumer<WaitQueueHead, WaitQueueEntry> call, boolean needsQueuedEntry) {
            this.kernelName = kernelName;
            this.call = call;
            this.needsQueuedEntry = needsQueuedEntry;
        }

        @Override
        public String toString() {
            return kernelName;
        }
    }

    @ParameterizedTest(name = "{0} takes wq.lock itself")
    @EnumSource(PublicOp.class)
    @DisplayName("the public functions take wq.lock: called while this thread holds it, they hit spinlock recursion")
    void publicFunctionsTakeTheLock(PublicOp op) {
        WaitQueueEntry other = entry("other", 0);
        WaitQueueEntry e = entry("e", 0);
        wq.head.add(other.entry);
        if (op.needsQueuedEntry) {
            wq.head.addTail(e.entry);
        }
        List<String> before = order();

        Throwable thrown;
        wq.lock.lock();
        try {
            thrown = thrownBy(() -> op.call.accept(wq, e));
        } finally {
            wq.lock.unlock();
        }

        assertThat(thrown)
                .as("%s must take wq.lock itself (spin_lock_irqsave). Called while this thread already holds "
                        + "wq.lock, it must fail with the SpinLock's 'BUG: spinlock recursion'; it %s, so it changes "
                        + "the list without the lock", op, outcome(thrown))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("spinlock recursion");
        assertThat(order())
                .as("%s must not touch the list before it holds the lock: the queue was %s and is now %s",
                        op, before, order())
                .isEqualTo(before);
    }

    @ParameterizedTest(name = "{0} releases wq.lock")
    @EnumSource(PublicOp.class)
    @DisplayName("the public functions release wq.lock before they return")
    void publicFunctionsReleaseTheLock(PublicOp op) {
        WaitQueueEntry e = entry("e", 0);
        if (op.needsQueuedEntry) {
            wq.head.add(e.entry);
        }

        op.call.accept(wq, e);

        assertLockFree(op.kernelName);
        assertThat(e.entry.isEmpty())
                .as("%s must %s the entry", op, op.needsQueuedEntry ? "unlink" : "queue")
                .isEqualTo(op.needsQueuedEntry);
    }

    @ParameterizedTest(name = "{0} releases wq.lock when linking fails")
    @EnumSource(value = PublicOp.class, names = {"ADD_WAIT_QUEUE", "ADD_WAIT_QUEUE_EXCLUSIVE"})
    @DisplayName("the public functions release wq.lock even when linking throws (try/finally)")
    void publicFunctionsReleaseTheLockOnFailure(PublicOp op) {
        WaitQueueEntry e = entry("e", 0);
        wq.head.add(e.entry); // already queued: linking it again is list corruption, ListHead throws

        Throwable thrown = thrownBy(() -> op.call.accept(wq, e));

        assertThat(thrown)
                .as("%s of an entry that is already queued must let ListHead's 'list_add corruption' through; it %s",
                        op, outcome(thrown))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("list_add corruption");
        assertThat(wq.lock.isLocked())
                .as("%s threw while linking, and left wq.lock held (by %s): release the lock in a finally block, "
                        + "or every later waker and sleeper on this queue spins forever", op, wq.lock.holder())
                .isFalse();
    }

    @Test
    @DisplayName("the ...Locked helpers run under the caller's lock: they neither take nor release it")
    void lockedHelpersWorkWithTheLockHeld() {
        WaitQueueEntry a = entry("a", 0);
        WaitQueueEntry b = entry("b", 0);
        WaitQueueEntry c = entry("c", 0);

        withLockHeld(() -> {
            wq.addWaitQueueLocked(a);
            assertLockStillHeld("__add_wait_queue (addWaitQueueLocked)");
            wq.addWaitQueueEntryTailLocked(b);
            assertLockStillHeld("__add_wait_queue_entry_tail (addWaitQueueEntryTailLocked)");
            wq.addWaitQueueExclusiveLocked(c);
            assertLockStillHeld("__add_wait_queue_exclusive (addWaitQueueExclusiveLocked)");
            assertThat(show())
                    .as("__add_wait_queue(a), __add_wait_queue_entry_tail(b), __add_wait_queue_exclusive(c) "
                            + "must give [c(excl), a, b]")
                    .isEqualTo("[c(excl), a, b]");
            wq.removeWaitQueueLocked(a);
            assertLockStillHeld("__remove_wait_queue (removeWaitQueueLocked)");
            assertThat(order()).as("__remove_wait_queue(a) must leave [c, b]; the queue is %s", show())
                    .containsExactly("c", "b");
        });
    }

    // ---- the ...Locked helpers: placement and flags -----------------------------------------

    @Test
    @DisplayName("__add_wait_queue links at the HEAD and leaves the flags as they are")
    void addWaitQueueLockedLinksAtTheHead() {
        WaitQueueEntry a = entry("a", 0);
        WaitQueueEntry x = entry("x", WQ_FLAG_EXCLUSIVE);

        withLockHeld(() -> {
            wq.addWaitQueueLocked(a);
            wq.addWaitQueueLocked(x);
        });

        assertThat(order())
                .as("__add_wait_queue(a) then __add_wait_queue(x) must give [x, a] (list_add at the head); "
                        + "the queue is %s", show())
                .containsExactly("x", "a");
        assertThat(x.flags)
                .as("__add_wait_queue only links the entry: the flags are the caller's business "
                        + "(__add_wait_queue_exclusive sets the flag and then calls it); x had WQ_FLAG_EXCLUSIVE "
                        + "and now has %s", hex(x.flags))
                .isEqualTo(WQ_FLAG_EXCLUSIVE);
        assertThat(a.flags).as("__add_wait_queue must not set flags; a's flags are %s", hex(a.flags)).isZero();
    }

    @Test
    @DisplayName("__add_wait_queue_entry_tail links at the TAIL and leaves the flags as they are")
    void addWaitQueueEntryTailLockedLinksAtTheTail() {
        WaitQueueEntry a = entry("a", 0);
        WaitQueueEntry x = entry("x", WQ_FLAG_EXCLUSIVE);
        WaitQueueEntry b = entry("b", 0);

        withLockHeld(() -> {
            wq.addWaitQueueEntryTailLocked(a);
            wq.addWaitQueueEntryTailLocked(x);
            wq.addWaitQueueEntryTailLocked(b);
        });

        assertThat(order())
                .as("__add_wait_queue_entry_tail(a), (x), (b) must give [a, x, b] (list_add_tail); the queue is %s",
                        show())
                .containsExactly("a", "x", "b");
        assertThat(List.of(a.flags, x.flags, b.flags))
                .as("__add_wait_queue_entry_tail only links: the flags of a, x, b must stay [0, 1, 0]; they are "
                        + "[%s, %s, %s]", hex(a.flags), hex(x.flags), hex(b.flags))
                .containsExactly(0, WQ_FLAG_EXCLUSIVE, 0);
    }

    @Test
    @DisplayName("__add_wait_queue_exclusive sets WQ_FLAG_EXCLUSIVE and links at the HEAD (ep_poll: last in, first out)")
    void addWaitQueueExclusiveLockedLinksAtTheHead() {
        WaitQueueEntry n = entry("n", 0);
        WaitQueueEntry x1 = entry("x1", 0);
        WaitQueueEntry x2 = entry("x2", WQ_FLAG_WOKEN);

        withLockHeld(() -> {
            wq.addWaitQueueLocked(n);
            wq.addWaitQueueExclusiveLocked(x1);
            wq.addWaitQueueExclusiveLocked(x2);
        });

        assertThat(order())
                .as("__add_wait_queue(n), __add_wait_queue_exclusive(x1), (x2) must give [x2, x1, n]: unlike "
                        + "add_wait_queue_exclusive, the double-underscore version links at the HEAD (this is why "
                        + "threads in one epoll_wait wake last-in first-out); the queue is %s", show())
                .containsExactly("x2", "x1", "n");
        assertThat(x1.isExclusive())
                .as("__add_wait_queue_exclusive must set WQ_FLAG_EXCLUSIVE on x1; its flags are %s", hex(x1.flags))
                .isTrue();
        assertThat(x2.flags)
                .as("__add_wait_queue_exclusive must add the flag (|=), keeping WOKEN: x2 must have 0x3; it has %s",
                        hex(x2.flags))
                .isEqualTo(WQ_FLAG_EXCLUSIVE | WQ_FLAG_WOKEN);
        assertThat(n.isExclusive()).as("n was linked by __add_wait_queue and must stay non-exclusive").isFalse();
    }

    @Test
    @DisplayName("__remove_wait_queue unlinks (list_del_init) and the entry can be queued again")
    void removeWaitQueueLockedUnlinks() {
        WaitQueueEntry a = entry("a", 0);
        WaitQueueEntry b = entry("b", 0);
        WaitQueueEntry c = entry("c", 0);

        withLockHeld(() -> {
            wq.addWaitQueueEntryTailLocked(a);
            wq.addWaitQueueEntryTailLocked(b);
            wq.addWaitQueueEntryTailLocked(c);
            wq.removeWaitQueueLocked(b);
            assertThat(order()).as("__remove_wait_queue(b) on [a, b, c] must leave [a, c]; the queue is %s", show())
                    .containsExactly("a", "c");
            assertThat(b.entry.isEmpty())
                    .as("after __remove_wait_queue(b) b's node must point to itself (list_del_init); it is still linked")
                    .isTrue();
            wq.addWaitQueueLocked(b);
            assertThat(order()).as("b, once removed, must be linkable again at the head: [b, a, c]; the queue is %s",
                    show()).containsExactly("b", "a", "c");
        });
    }
}
