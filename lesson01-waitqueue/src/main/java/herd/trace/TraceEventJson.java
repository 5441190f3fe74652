package herd.trace;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Writes a {@link Timeline} in the Trace Event Format (JSON), which Perfetto
 * (ui.perfetto.dev) and {@code chrome://tracing} open: a thread per lane, a complete event
 * ({@code "ph":"X"}) per call and per sleep, a flow arrow ({@code "s"} to {@code "f"}) and an
 * instant event per wake-up, an instant event per mark. Times are µs from the timeline's start.
 */
public final class TraceEventJson {
    private TraceEventJson() {
    }

    /** The JSON document of {@code timeline}, one event per line. */
    public static String render(Timeline timeline) {
        List<String> events = new ArrayList<>();
        events.add(String.format(Locale.ROOT, "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":%s}}",
                quote(timeline.title())));
        for (int i = 0; i < timeline.lanes().size(); i++) {
            Timeline.Lane lane = timeline.lanes().get(i);
            events.add(String.format(Locale.ROOT, "{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_name\",\"args\":{\"name\":%s}}",
                    lane.id(), quote(lane.name())));
            events.add(String.format(Locale.ROOT, "{\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"name\":\"thread_sort_index\","
                    + "\"args\":{\"sort_index\":%d}}", lane.id(), i));
        }
        for (Timeline.Bar b : timeline.bars()) {
            events.add(String.format(Locale.ROOT, "{\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%s,\"dur\":%s,\"name\":%s,"
                    + "\"cat\":\"call\",\"args\":{\"result\":%s}}", tid(timeline, b.lane()), us(timeline, b.start()),
                    us(b.end() - b.start()), quote(b.name()), quote(b.result() == null ? "(not returned)" : b.result())));
        }
        for (Timeline.Sleep s : timeline.sleeps()) {
            events.add(String.format(Locale.ROOT, "{\"ph\":\"X\",\"pid\":1,\"tid\":%d,\"ts\":%s,\"dur\":%s,\"name\":\"asleep\","
                    + "\"cat\":\"sleep\"}", tid(timeline, s.lane()), us(timeline, s.start()), us(s.end() - s.start())));
        }
        int id = 0;
        for (Timeline.Wake w : timeline.wakes()) {
            id++;
            String name = w.hidden() ? "hidden wake-up" : "wake-up";
            String ts = us(timeline, w.time());
            events.add(String.format(Locale.ROOT, "{\"ph\":\"s\",\"pid\":1,\"tid\":%d,\"ts\":%s,\"id\":%d,\"name\":%s,"
                    + "\"cat\":\"wakeup\"}", tid(timeline, w.from()), ts, id, quote(name)));
            events.add(String.format(Locale.ROOT, "{\"ph\":\"f\",\"bp\":\"e\",\"pid\":1,\"tid\":%d,\"ts\":%s,\"id\":%d,"
                    + "\"name\":%s,\"cat\":\"wakeup\"}", tid(timeline, w.to()), ts, id, quote(name)));
            String text = w.hidden() ? "hidden wake-up: asleep again inside " + (w.in() == null ? "the call" : w.in())
                    : "woken by " + timeline.lanes().get(w.from()).name();
            events.add(String.format(Locale.ROOT, "{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%d,\"ts\":%s,\"name\":%s,"
                    + "\"cat\":\"wakeup\"}", tid(timeline, w.to()), ts, quote(text)));
        }
        for (Timeline.Mark m : timeline.marks()) {
            events.add(String.format(Locale.ROOT, "{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":%d,\"ts\":%s,\"name\":%s,"
                    + "\"cat\":\"mark\"}", tid(timeline, m.lane()), us(timeline, m.time()), quote(m.text())));
        }
        return "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"title\":" + quote(timeline.title()) + ",\"clock\":"
                + quote(timeline.clock()) + "},\n\"traceEvents\":[\n" + String.join(",\n", events) + "\n]}\n";
    }

    private static long tid(Timeline timeline, int lane) {
        return timeline.lanes().get(lane).id();
    }

    private static String us(Timeline timeline, long t) {
        return us(t - timeline.start());
    }

    private static String us(long ns) {
        return String.format(Locale.ROOT, "%.3f", ns / 1_000.0);
    }

    /** {@code text} as a JSON string. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
