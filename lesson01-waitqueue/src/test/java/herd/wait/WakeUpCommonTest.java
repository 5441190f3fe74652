package herd.wait;

import static herd.course.kit.WaitQueues.EPOLLIN;
import static herd.course.kit.WaitQueues.EPOLLRDNORM;
import static herd.course.kit.WaitQueues.withCallersLock;
import static herd.sched.Sched.WF_SYNC;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static herd.sched.Task.TASK_NORMAL;
import static herd.wait.WaitQueueEntry.WQ_FLAG_EXCLUSIVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import herd.course.kit.WaitQueues.Call;
import herd.course.kit.WaitQueues.Slot;
import herd.course.kit.WaitQueues.TestQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mockito.InOrder;

/**
 * L01-E2: {@code __wake_up_common()}, the walk every wake-up does.
 *
 * <p>From the head, it calls each entry's wake function with (entry, mode, wake_flags,
 * key). A negative return stops the walk at once; a positive return from an exclusive
 * entry spends one unit of {@code nr_exclusive}, and the walk stops when the budget
 * reaches 0 (so a budget of 0 never stops it: wake all). It returns the budget left.
 *
 * <p>The queues here are built with plain list operations ({@code wq.head.addTail}) and
 * the flags set by hand, so these tests do not depend on L01-E1. A queue is written head
 * first as tokens: {@code N} a non-exclusive entry, {@code X} an exclusive one, followed by
 * what its (mocked) wake function returns, 1 when omitted: {@code "N N X0 X X-1"}. Entries
 * are named by position and kind in messages: {@code 0:N, 1:N, 2:X, ...}.
 */
@Tag("lesson01")
@Tag("L01-E2")
@DisplayName("L01-E2: __wake_up_common, the walk")
class WakeUpCommonTest {
    /** A queue built from {@code spec}; a walk that loops is reported as a loop of {@code __wake_up_common}. */
    private static TestQueue queue(String spec) {
        return queue(spec, (slot, entry) -> { });
    }

    /** The same, with {@code sideEffect} run inside each wake function before it returns. */
    private static TestQueue queue(String spec, BiConsumer<Slot, WaitQueueEntry> sideEffect) {
        return new TestQueue(spec, entries -> "__wake_up_common called more than " + TestQueue.RUNAWAY_CALLS
                + " wake functions on a queue of " + entries + " entries: the walk loops (does it follow ->next of "
                + "an entry that was just unlinked? walk with head.entries(), the list_for_each_entry_safe of the "
                + "model)", sideEffect);
    }

    @ParameterizedTest(name = "[{index}] queue [{0}], nr_exclusive={1}: calls the first {2}, returns {3} ({4})")
    @CsvSource(delimiter = '|', textBlock = """
            # queue, head first    | nr_exclusive | functions called | budget left | the rule
            N N N                  | 1 | 3 | 1  | only non-exclusive entries: every one is woken and the budget is untouched
            N N X X X              | 1 | 3 | 0  | every non-exclusive entry, then exactly one exclusive entry
            N N X X X              | 2 | 4 | 0  | every non-exclusive entry, then nr_exclusive=2 exclusive entries
            N N X X X              | 3 | 5 | 0  | every non-exclusive entry, then nr_exclusive=3 exclusive entries
            N N X X X              | 5 | 5 | 2  | a budget larger than the exclusive entries: all are woken, 2 left over
            N N X X X              | 0 | 5 | -3 | nr_exclusive=0 means no limit: decrementing from 0 never hits 0
            X X X X                | 0 | 4 | -4 | nr_exclusive=0 wakes every exclusive entry
            X X X                  | 1 | 1 | 0  | wake-one: the first exclusive entry that accepts ends the walk
            X0 X0 X X              | 1 | 3 | 0  | an exclusive entry that declines (returns 0) does not count: the walk goes on
            X0 X0 X0               | 1 | 3 | 1  | nobody accepted: the whole budget is left
            X X0 X X               | 2 | 3 | 0  | only accepting exclusive entries spend the budget
            N0 N0 X                | 1 | 3 | 0  | a non-exclusive entry's return (0 or 1) never touches the budget
            X2 X                   | 1 | 1 | 0  | any positive return means accepted
            N X-1 X N              | 0 | 2 | 0  | a negative return stops the walk at once, whatever the budget
            N-1 N X                | 1 | 1 | 1  | a negative return from the first entry stops the walk before the others
            X X-1 X                | 5 | 2 | 4  | the budget spent before the negative return is gone, the rest is returned
            N X N X                | 1 | 2 | 0  | the walk ends at the first accepting exclusive entry even if non-exclusive ones follow
            ''                     | 1 | 0 | 1  | an empty queue: nothing called, the budget returned as is
            ''                     | 0 | 0 | 0  | an empty queue with no limit: returns 0
            """)
    @DisplayName("which wake functions the walk calls, in which order, and the budget it returns")
    void theWalkTable(String spec, int nrExclusive, int expectedCalls, int expectedLeft, String rule) {
        TestQueue q = queue(spec);

        int left = q.wq.wakeUpCommon(TASK_NORMAL, nrExclusive, 0, 0);

        List<String> expected = q.firstLabels(expectedCalls);
        assertThat(q.called())
                .as("__wake_up_common on queue %s (head first) with nr_exclusive=%d must call the wake functions of "
                        + "%s, in this order, and no others: %s. It called %s",
                        q.describe(), nrExclusive, expected, rule, q.called())
                .containsExactlyElementsOf(expected);
        assertThat(left)
                .as("__wake_up_common on queue %s with nr_exclusive=%d must return the budget left, %d (%s); "
                        + "it returned %d", q.describe(), nrExclusive, expectedLeft, rule, left)
                .isEqualTo(expectedLeft);

        // The same, as Mockito sees it: each called function got its own entry and the caller's arguments.
        if (!q.slots.isEmpty()) {
            InOrder inOrder = inOrder((Object[]) q.functions());
            for (Slot slot : q.slots.subList(0, expectedCalls)) {
                inOrder.verify(slot.fn()).wake(same(slot.entry()), eq(TASK_NORMAL), eq(0), eq(0));
            }
            verifyNoMoreInteractions((Object[]) q.functions());
        }
    }

    @Test
    @DisplayName("each wake function receives exactly (its own entry, mode, wake_flags, key)")
    void theCallbacksGetTheCallersArguments() {
        TestQueue q = queue("N X0 X");
        int key = EPOLLIN | EPOLLRDNORM;

        int left = q.wq.wakeUpCommon(TASK_INTERRUPTIBLE, 1, WF_SYNC, key);

        assertThat(q.called())
                .as("__wake_up_common(TASK_INTERRUPTIBLE, nr_exclusive=1, WF_SYNC, EPOLLIN|EPOLLRDNORM) on queue %s "
                        + "must call all three functions (1:X declines, 2:X accepts); it called %s",
                        q.describe(), q.called())
                .containsExactly("0:N", "1:X", "2:X");
        for (int i = 0; i < q.calls.size(); i++) {
            Call call = q.calls.get(i);
            Slot slot = q.slots.get(i);
            assertThat(call.entry())
                    .as("the wake function of entry %s must receive its own entry as first argument (curr); "
                            + "it received %s", slot.label(), call.entry() == null ? "null" : "another entry")
                    .isSameAs(slot.entry());
            assertThat(call.mode())
                    .as("the wake function of entry %s must receive the caller's mode TASK_INTERRUPTIBLE (0x1); "
                            + "it received 0x%s", slot.label(), Integer.toHexString(call.mode()))
                    .isEqualTo(TASK_INTERRUPTIBLE);
            assertThat(call.wakeFlags())
                    .as("the wake function of entry %s must receive the caller's wake_flags WF_SYNC (0x%s); "
                            + "it received 0x%s", slot.label(), Integer.toHexString(WF_SYNC),
                            Integer.toHexString(call.wakeFlags()))
                    .isEqualTo(WF_SYNC);
            assertThat(call.key())
                    .as("the wake function of entry %s must receive the caller's key, the poll mask 0x%s; "
                            + "it received 0x%s", slot.label(), Integer.toHexString(key),
                            Integer.toHexString(call.key()))
                    .isEqualTo(key);
        }
        assertThat(left).as("one exclusive entry accepted with nr_exclusive=1: the budget left must be 0; it is %d",
                left).isZero();

        InOrder inOrder = inOrder((Object[]) q.functions());
        for (Slot slot : q.slots) {
            inOrder.verify(slot.fn()).wake(same(slot.entry()), eq(TASK_INTERRUPTIBLE), eq(WF_SYNC), eq(key));
        }
        verifyNoMoreInteractions((Object[]) q.functions());
    }

    @Test
    @DisplayName("an entry may unlink itself from its wake function (autoremove) without breaking the walk")
    void theWalkSurvivesEntriesThatUnlinkThemselves() {
        // autoremove_wake_function does list_del_init on the entry it woke; the kernel walks
        // with list_for_each_entry_safe so that the next entry is known before the call.
        TestQueue q = queue("N N X X", (slot, given) -> given.entry.delInit());

        int left = q.wq.wakeUpCommon(TASK_NORMAL, 1, 0, 0);

        assertThat(q.called())
                .as("on queue %s where every wake function unlinks its own entry, nr_exclusive=1 must still call "
                        + "[0:N, 1:N, 2:X], each once; it called %s (the walk must take the next entry before it calls "
                        + "the function, as list_for_each_entry_safe does)", q.describe(), q.called())
                .containsExactly("0:N", "1:N", "2:X");
        assertThat(q.queued())
                .as("the three woken entries unlinked themselves; only 3:X must be left on the queue")
                .containsExactly("3:X");
        assertThat(left).as("one exclusive entry accepted: the budget left must be 0; it is %d", left).isZero();
    }

    @Test
    @DisplayName("the exclusive flag is read before the wake function runs (the kernel copies curr->flags first)")
    void theFlagsAreReadBeforeTheCall() {
        // Once its wake function ran, the woken task may already be reusing its entry (a new
        // prepare_to_wait clears WQ_FLAG_EXCLUSIVE), or in the kernel the entry may be gone:
        // __wake_up_common reads flags = curr->flags before it calls curr->func.
        TestQueue q = queue("X X", (slot, given) -> given.flags &= ~WQ_FLAG_EXCLUSIVE);

        int left = q.wq.wakeUpCommon(TASK_NORMAL, 1, 0, 0);

        assertThat(q.called())
                .as("on queue %s with nr_exclusive=1, entry 0:X was exclusive when visited and accepted, then its "
                        + "wake function cleared WQ_FLAG_EXCLUSIVE (the woken task reusing the entry). The walk must "
                        + "count the flags the entry had BEFORE the call and stop there; it called %s",
                        q.describe(), q.called())
                .containsExactly("0:X");
        assertThat(left).as("the budget left must be 0; it is %d", left).isZero();
    }

    @Test
    @DisplayName("__wake_up_common runs under the caller's wq.lock: it neither takes nor releases it")
    void theWalkRunsUnderTheCallersLock() {
        TestQueue q = queue("N X X");

        String recursion = "__wake_up_common (wakeUpCommon) is called with wq.lock already held (by __wake_up, "
                + "wake_up_locked, ep_poll_callback...) and must not take it again; it did and hit: ";
        int left = withCallersLock(q.wq, recursion, () -> {
            int budgetLeft = q.wq.wakeUpCommon(TASK_NORMAL, 1, 0, 0);
            assertThat(q.wq.lock.isHeldByCurrentThread())
                    .as("__wake_up_common must leave the caller's wq.lock held; after it the lock is held by %s",
                            q.wq.lock.holder())
                    .isTrue();
            return budgetLeft;
        });

        assertThat(q.called()).as("on queue %s with nr_exclusive=1 the walk must call [0:N, 1:X]; it called %s",
                q.describe(), q.called()).containsExactly("0:N", "1:X");
        assertThat(q.calls).as("every wake function must run while the caller still holds wq.lock")
                .allMatch(Call::lockHeld);
        assertThat(left).isZero();
    }

    @Test
    @DisplayName("several wake-ups in a row: each walk starts again from the head")
    void eachWalkStartsFromTheHead() {
        TestQueue q = queue("X X X");
        List<List<String>> walks = new ArrayList<>();
        Consumer<Integer> walk = nr -> {
            q.calls.clear();
            q.wq.wakeUpCommon(TASK_NORMAL, nr, 0, 0);
            walks.add(q.called());
        };

        walk.accept(1);
        walk.accept(1);
        walk.accept(2);

        assertThat(walks)
                .as("with entries that stay queued, three walks (nr_exclusive 1, 1, 2) on %s must call "
                        + "[[0:X], [0:X], [0:X, 1:X]]: the walk keeps no position between calls; they called %s",
                        q.describe(), walks)
                .containsExactly(List.of("0:X"), List.of("0:X"), List.of("0:X", "1:X"));
    }
}
