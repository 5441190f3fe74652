package herd.bench.report;

import java.util.Locale;
import org.openjdk.jmh.util.ListStatistics;

/**
 * A measured value and the half-width of its 99.9 % confidence interval, as JMH computes
 * a score's error (Student's t over the iterations of every fork).
 *
 * @param value the mean
 * @param error the interval's half-width; NaN where there were too few iterations to tell
 */
record Estimate(double value, double error) {
    /** The confidence JMH's score errors are at. */
    static final double CONFIDENCE = 0.999;
    /** The widest interval, relative to the value, that a published number may have unflagged. */
    static final double TRUSTED = 0.10;

    /** The mean of {@code samples} and its interval; NaN for no sample. */
    static Estimate of(double[] samples) {
        if (samples.length == 0) {
            return new Estimate(Double.NaN, Double.NaN);
        }
        ListStatistics s = new ListStatistics(samples);
        return new Estimate(s.getMean(), s.getMeanErrorAt(CONFIDENCE));
    }

    /**
     * {@code this / other}, with the relative errors of two independent measurements added
     * in quadrature (first order).
     */
    Estimate over(Estimate other) {
        double ratio = value / other.value;
        return new Estimate(ratio, ratio * Math.hypot(relative(), other.relative()));
    }

    /** The interval's half-width over the value. */
    double relative() {
        return error / Math.abs(value);
    }

    /** True if the interval is known and no wider than ±{@link #TRUSTED} of the value. */
    boolean trusted() {
        return relative() <= TRUSTED;
    }

    /** The relative error as the tables print it: {@code 4.2 %}, or {@code ?} if unknown. */
    String percent() {
        return Double.isNaN(relative()) ? "?" : String.format(Locale.ROOT, "%.1f %%", 100 * relative());
    }

    /** {@code value ± error} with {@code format} (a format for one number), then the relative error. */
    String format(String format) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        String v = String.format(Locale.ROOT, format, value);
        return Double.isNaN(error) ? v + " ± ?" : v + " ± " + String.format(Locale.ROOT, format, error);
    }
}
