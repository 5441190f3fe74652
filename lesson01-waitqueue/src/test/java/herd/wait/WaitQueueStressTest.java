package herd.wait;

import static herd.course.kit.WaitQueues.wakeUp;
import static herd.sched.Task.TASK_DEAD;
import static herd.sched.Task.TASK_INTERRUPTIBLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import herd.course.kit.WaitQueues;
import herd.sched.ParallelScheduler;
import herd.sched.Task;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * L01-E5 under real concurrency, on the {@link ParallelScheduler} (one thread per task):
 * a bounded buffer of {@value #CAPACITY} slots between 4 producers and 8 consumers.
 * Consumers sleep in {@code wait_event_interruptible_exclusive} on {@code not_empty}
 * until there is an item, producers on {@code not_full} until there is a free slot, and
 * each side wakes one sleeper of the other per item it moves, so both sides go to sleep
 * and are woken thousands of times. Whatever the interleaving, every item must be
 * consumed exactly once and every task must exit: a lost wake-up leaves a task asleep
 * next to an item or a free slot, and the run never ends. Each side wakes the other with
 * {@link WaitQueues#wakeUp}, {@code __wake_up_common} under the queue's lock, so that this
 * test needs only the exercises up to L01-E5.
 */
@Tag("lesson01")
@Tag("L01-E5")
@Tag("stress")
class WaitQueueStressTest {
    private static final int CONSUMERS = 8;
    private static final int PRODUCERS = 4;
    private static final int ITEMS = 20_000;
    private static final int PER_PRODUCER = ITEMS / PRODUCERS;
    private static final int CAPACITY = 4;
    /** The item that tells a consumer to exit; one per consumer, after every real item. */
    private static final int POISON = -1;
    /** Guards the test thread's waits; a correct run takes well under a second. */
    private static final Duration GUARD = Duration.ofSeconds(5);

    /** The buffer: items, free slots, and a wait queue for each side. */
    private static final class Buffer {
        final WaitQueueHead notEmpty = new WaitQueueHead("not_empty");
        final WaitQueueHead notFull = new WaitQueueHead("not_full");
        final ConcurrentLinkedQueue<Integer> items = new ConcurrentLinkedQueue<>();
        final AtomicInteger freeSlots = new AtomicInteger(CAPACITY);
        final List<String> oddReturns = new CopyOnWriteArrayList<>();

        /** Sleeps until a slot is free, claims it, adds the item and wakes one consumer. */
        void put(int item) {
            for (;;) {
                long ret = WaitEvent.waitEventInterruptibleExclusive(notFull, () -> freeSlots.get() > 0);
                if (ret != 0) {
                    oddReturns.add(Task.current() + " got " + ret);
                    return;
                }
                if (freeSlots.getAndUpdate(n -> n > 0 ? n - 1 : n) > 0) {
                    break;
                }
                // Another producer claimed the slot first: wait again.
            }
            items.add(item);
            wakeUp(notEmpty);
        }

        /** Sleeps until there is an item, takes it, frees its slot and wakes one producer; null on an odd return. */
        Integer take() {
            for (;;) {
                long ret = WaitEvent.waitEventInterruptibleExclusive(notEmpty, () -> !items.isEmpty());
                if (ret != 0) {
                    oddReturns.add(Task.current() + " got " + ret);
                    return null;
                }
                Integer item = items.poll();
                if (item != null) {
                    freeSlots.incrementAndGet();
                    wakeUp(notFull);
                    return item;
                }
                // Another consumer took it first: wait again.
            }
        }
    }

    @Test
    @DisplayName("bounded buffer, 4 producers, 8 exclusive consumers, 20,000 items: each consumed once, all exit")
    void everyItemIsConsumedExactlyOnce() {
        Buffer buffer = new Buffer();
        AtomicIntegerArray taken = new AtomicIntegerArray(ITEMS);
        AtomicInteger producersLeft = new AtomicInteger(PRODUCERS);

        try (ParallelScheduler sched = new ParallelScheduler()) {
            List<Task> consumers = new ArrayList<>();
            for (int c = 0; c < CONSUMERS; c++) {
                consumers.add(sched.spawn("consumer" + c, () -> {
                    for (;;) {
                        Integer item = buffer.take();
                        if (item == null || item == POISON) {
                            return;
                        }
                        taken.incrementAndGet(item);
                    }
                }));
            }
            awaitAllAsleep(consumers);

            for (int p = 0; p < PRODUCERS; p++) {
                int first = p * PER_PRODUCER;
                sched.spawn("producer" + p, () -> {
                    for (int i = first; i < first + PER_PRODUCER; i++) {
                        buffer.put(i);
                    }
                    if (producersLeft.decrementAndGet() == 0) {
                        // Every item is in: one poison pill per consumer, after them.
                        for (int c = 0; c < CONSUMERS; c++) {
                            buffer.put(POISON);
                        }
                    }
                });
            }
            sched.awaitExit(GUARD);

            assertThat(buffer.oddReturns)
                    .as("no signal was sent: wait_event_interruptible_exclusive must only return 0").isEmpty();
            assertThat(sched.tasks()).as("every producer and consumer exited")
                    .allMatch(t -> t.state() == TASK_DEAD, "TASK_DEAD");
        }
        int[] notOnce = IntStream.range(0, ITEMS).filter(i -> taken.get(i) != 1).toArray();
        assertThat(notOnce)
                .as("items not consumed exactly once (0 times: lost; twice: duplicated); e.g. item %s was consumed "
                        + "%s time(s)", notOnce.length == 0 ? "-" : notOnce[0],
                        notOnce.length == 0 ? "-" : taken.get(notOnce[0]))
                .isEmpty();
        assertThat(buffer.items).as("no item is left in the buffer").isEmpty();
        assertThat(buffer.freeSlots.get()).as("every slot is free again").isEqualTo(CAPACITY);
        assertThat(buffer.notEmpty.waitqueueActive() || buffer.notFull.waitqueueActive())
                .as("every task took its entry off the queues (finish_wait)").isFalse();
    }

    /**
     * Waits until every consumer sleeps on the empty buffer (or has died of an error), so
     * that from the first item on every item needs a wake-up.
     */
    private static void awaitAllAsleep(List<Task> consumers) {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!consumers.stream().allMatch(t -> t.state() == TASK_INTERRUPTIBLE || t.state() == TASK_DEAD)) {
            if (System.nanoTime() - deadline > 0) {
                fail("the consumers did not all go to sleep on the empty buffer within %d s; states: %s",
                        GUARD.toSeconds(), consumers.stream().map(t -> t + " " + Task.stateName(t.state())).toList());
            }
            Thread.yield();
        }
    }
}
