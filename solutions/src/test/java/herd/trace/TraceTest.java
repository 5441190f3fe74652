package herd.trace;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The trace's size, like ftrace's buffer: a task that loops forever cannot fill the memory. */
class TraceTest {
    @Test
    void aFullTraceKeepsItsFirstEventsAndCountsTheRestAsLost() {
        Trace trace = new Trace(true, () -> 0);
        for (int i = 0; i < Trace.MAX_EVENTS + 3; i++) {
            trace.record(null, TraceEvent.Kind.MARK, "mark", "event " + i, 0, null);
        }
        assertThat(trace.events()).hasSize(Trace.MAX_EVENTS);
        assertThat(trace.events().get(0).detail()).as("the first event stays").isEqualTo("event 0");
        assertThat(trace.lost()).as("the events after the trace was full").isEqualTo(3);
    }
}
