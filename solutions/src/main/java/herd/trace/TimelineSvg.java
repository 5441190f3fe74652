package herd.trace;

import java.util.Locale;

/**
 * Draws a {@link Timeline} as an SVG image: a lane per task, its calls as bars (red when
 * they failed, labelled with what they returned), its sleeps hatched, each wake-up as a
 * green arrow from the waker's lane to the woken one's, a hidden wake-up as a dashed red
 * arrow with a label, and a time axis on top. Hovering a bar shows its whole text.
 */
public final class TimelineSvg {
    /** The image's width, in pixels. */
    public static final int WIDTH = 960;
    /** The height of one lane, in pixels. */
    public static final int LANE = 62;
    private static final int LABELS = 160;
    private static final int RIGHT = 24;
    private static final int TOP = 80;
    private static final int BAR_Y = 24;
    private static final int BAR_H = 18;
    private static final double CHAR_W = 6.7;
    private static final String FONT = "font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\"";
    private static final String CALL_FILL = "#cfe3f7";
    private static final String CALL_LINE = "#2b6cb0";
    private static final String FAILED_FILL = "#f8d0c8";
    private static final String FAILED_LINE = "#c0392b";
    private static final String WAKE = "#1e8449";
    private static final String HIDDEN = "#c0392b";

    private TimelineSvg() {
    }

    /** The SVG document of {@code timeline}. */
    public static String render(Timeline timeline) {
        int height = TOP + timeline.lanes().size() * LANE + 60;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-size=\"11\" %s>%n", WIDTH, height, WIDTH, height, FONT));
        svg.append(DEFS);
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"22\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                escape(timeline.title())));
        axis(svg, timeline);
        for (int i = 0; i < timeline.lanes().size(); i++) {
            lane(svg, timeline, i);
        }
        for (Timeline.Wake w : timeline.wakes()) {
            wake(svg, timeline, w);
        }
        legend(svg, TOP + timeline.lanes().size() * LANE + 14);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static final String DEFS = """
            <defs>
              <pattern id="asleep" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
                <rect width="6" height="6" fill="#f2f2f2"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9a9a9a" stroke-width="2"/>
              </pattern>
              <marker id="wake" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#1e8449"/>
              </marker>
              <marker id="hidden" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#c0392b"/>
              </marker>
            </defs>
            """;

    /** The x of instant {@code t}. */
    private static double x(Timeline tl, long t) {
        double plot = WIDTH - LABELS - RIGHT;
        return LABELS + (t - tl.start()) * plot / Math.max(1, tl.end() - tl.start());
    }

    private static int laneTop(int lane) {
        return TOP + lane * LANE;
    }

    private static void axis(StringBuilder svg, Timeline tl) {
        double spanUs = (tl.end() - tl.start()) / 1_000.0;
        boolean ms = spanUs > 20_000;
        double span = ms ? spanUs / 1_000 : spanUs;
        double step = niceStep(span);
        int axisY = TOP - 10;
        svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"42\" fill=\"#555\">time (%s)</text>%n",
                escape(tl.clock())));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>%n", LABELS,
                axisY, WIDTH - RIGHT, axisY));
        for (double v = 0; v <= span + 1e-9; v += step) {
            double px = LABELS + v / span * (WIDTH - LABELS - RIGHT);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s %s</text>%n", px, axisY - 4, px,
                    axisY + 4, px, axisY - 7, number(v), ms ? "ms" : "µs"));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e4e4e4\"/>%n",
                    px, TOP, px, TOP + tl.lanes().size() * LANE));
        }
    }

    /** 1, 2 or 5 times a power of ten, so that at most 10 ticks cover {@code span}. */
    static double niceStep(double span) {
        double step = Math.pow(10, Math.floor(Math.log10(Math.max(span, 1e-9) / 10)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (span / (step * m) <= 10) {
                return step * m;
            }
        }
        return step * 10;
    }

    private static String number(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void lane(StringBuilder svg, Timeline tl, int lane) {
        int top = laneTop(lane);
        svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n", top, WIDTH,
                LANE, lane % 2 == 0 ? "#fafafa" : "#f0f4f8"));
        svg.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"%d\" font-size=\"12\" font-weight=\"bold\">%s</text>%n",
                top + BAR_Y + 13, escape(tl.lanes().get(lane).name())));
        double[] labelEnd = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (Timeline.Bar b : tl.bars()) {
            if (b.lane() == lane) {
                bar(svg, tl, b, labelEnd);
            }
        }
        for (Timeline.Sleep s : tl.sleeps()) {
            if (s.lane() == lane) {
                double x1 = x(tl, s.start());
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                        + "fill=\"url(#asleep)\" opacity=\"0.85\"><title>asleep</title></rect>%n", x1, top + BAR_Y + 3,
                        Math.max(1, x(tl, s.end()) - x1), BAR_H - 6));
            }
        }
        for (Timeline.Mark m : tl.marks()) {
            if (m.lane() == lane) {
                double mx = x(tl, m.time());
                svg.append(String.format(Locale.ROOT, "<path d=\"M %.1f %d l 4 -6 l -8 0 z\" fill=\"#e67e22\"/>"
                        + "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#a04000\"%s>%s</text>%n", mx, top + 12, mx,
                        top + 10, anchor(mx, m.text().length() * CHAR_W * 0.9), escape(m.text())));
            }
        }
    }

    private static void bar(StringBuilder svg, Timeline tl, Timeline.Bar b, double[] labelEnd) {
        int top = laneTop(b.lane());
        double x1 = x(tl, b.start());
        double w = Math.max(2, x(tl, b.end()) - x1);
        String text = (b.cut() && b.start() == tl.start() ? "… " : "") + b.name()
                + (b.result() != null ? " = " + shortResult(b.result()) : "")
                + (b.cut() && b.end() == tl.end() ? " …" : "");
        String full = b.name() + (b.result() != null ? " = " + b.result() : b.cut() ? " (not returned)" : "");
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\" "
                + "stroke=\"%s\"><title>%s</title></rect>%n", x1, top + BAR_Y, w, BAR_H,
                b.failed() ? FAILED_FILL : CALL_FILL, b.failed() ? FAILED_LINE : CALL_LINE, escape(full)));
        double textW = text.length() * CHAR_W;
        double tx = Math.min(x1 + 1, WIDTH - RIGHT - textW);
        for (int row = 0; row < 2; row++) {
            if (tx >= labelEnd[row] + 6) {
                labelEnd[row] = tx + textW;
                int y = row == 0 ? top + BAR_Y - 4 : top + BAR_Y + BAR_H + 12;
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\">%s</text>%n", tx, y,
                        b.failed() ? FAILED_LINE : "#1a3d66", escape(text)));
                return;
            }
        }
    }

    private static void wake(StringBuilder svg, Timeline tl, Timeline.Wake w) {
        double px = x(tl, w.time());
        int fromY = laneTop(w.from()) + BAR_Y + BAR_H / 2;
        int toTop = laneTop(w.to());
        int toY = w.to() > w.from() ? toTop + BAR_Y - 1 : w.to() < w.from() ? toTop + BAR_Y + BAR_H + 1 : toTop + 4;
        String colour = w.hidden() ? HIDDEN : WAKE;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"white\" "
                + "stroke-width=\"6\"/>%n", px, fromY, px, toY));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                + "stroke-width=\"2\"%s marker-end=\"url(#%s)\"><title>%s</title></line>%n", px, fromY, px, toY, colour,
                w.hidden() ? " stroke-dasharray=\"5 3\"" : "", w.hidden() ? "hidden" : "wake",
                escape((w.hidden() ? "hidden wake-up of " : "wake-up of ") + tl.lanes().get(w.to()).name() + " by "
                        + tl.lanes().get(w.from()).name())));
        if (w.hidden()) {
            String text = "hidden wake-up: asleep again inside " + (w.in() == null ? "the call" : w.in());
            double lx = px + 5;
            int y = toTop + LANE - 4;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" fill=\"%s\" font-weight=\"bold\"%s>%s</text>%n",
                    lx, y, HIDDEN, anchor(lx, text.length() * CHAR_W), escape(text)));
        }
    }

    /** Right-aligns a text that would run past the image's right edge. */
    private static String anchor(double x, double width) {
        return x + width > WIDTH - 4 ? " text-anchor=\"end\"" : "";
    }

    private static void legend(StringBuilder svg, int y) {
        svg.append(String.format(Locale.ROOT, """
                <g transform="translate(8 %d)">
                  <rect x="0" y="0" width="28" height="12" rx="2" fill="%s" stroke="%s"/><text x="34" y="10">a call (a syscall, or a kernel function outside one)</text>
                  <rect x="400" y="0" width="28" height="12" rx="2" fill="%s" stroke="%s"/><text x="434" y="10">a call that failed</text>
                  <rect x="580" y="0" width="28" height="12" fill="url(#asleep)"/><text x="614" y="10">asleep</text>
                  <line x1="0" y1="28" x2="26" y2="28" stroke="%s" stroke-width="2" marker-end="url(#wake)"/><text x="34" y="32">wake-up (try_to_wake_up), from waker to woken</text>
                  <line x1="400" y1="28" x2="426" y2="28" stroke="%s" stroke-width="2" stroke-dasharray="5 3" marker-end="url(#hidden)"/><text x="434" y="32">hidden wake-up: woken, then asleep again in the same call</text>
                </g>
                """, y, CALL_FILL, CALL_LINE, FAILED_FILL, FAILED_LINE, WAKE, HIDDEN));
    }

    /** The errno name without its message: {@code -1 EAGAIN}. */
    private static String shortResult(String result) {
        int paren = result.indexOf(" (");
        return paren < 0 ? result : result.substring(0, paren);
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
