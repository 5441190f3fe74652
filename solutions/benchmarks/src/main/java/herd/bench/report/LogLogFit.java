package herd.bench.report;

import herd.fix.demo.ComparisonCharts.Point;
import java.util.List;

/**
 * The slope of a straight line through points on a log-log chart, by least squares on
 * (ln workers, ln value): how a cost grows with the workers. A cost that doubles with
 * the workers has slope 1; one that does not move with them has slope 0.
 */
final class LogLogFit {
    private LogLogFit() {
    }

    /** The fitted slope of {@code points}; NaN for fewer than two distinct worker counts. */
    static double slope(List<Point> points) {
        int n = points.size();
        double sx = 0;
        double sy = 0;
        for (Point p : points) {
            sx += Math.log(p.workers());
            sy += Math.log(p.value());
        }
        double mx = sx / n;
        double my = sy / n;
        double sxy = 0;
        double sxx = 0;
        for (Point p : points) {
            double dx = Math.log(p.workers()) - mx;
            sxy += dx * (Math.log(p.value()) - my);
            sxx += dx * dx;
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }
}
