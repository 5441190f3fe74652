package herd.course.tool;

import java.util.Locale;

/** The little JSON the tool writes (Gradescope's results.json): strings and numbers. */
final class Json {
    private Json() {
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    /** A number as a person writes it: {@code 10}, {@code 7.5}. */
    static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d)
                : String.format(Locale.ROOT, "%.4f", d).replaceAll("0+$", "");
    }
}
