package herd.nginx;

import herd.sched.Sched;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What serving a request costs the server in the model. The model has no CPU time, so
 * a request for {@code /work/<ms>} keeps the server busy with an uninterruptible wait of
 * {@code ms} milliseconds of virtual time: it stands for the CPU time or the disk read a
 * real request needs, and it keeps the worker out of {@code epoll_wait} (or
 * {@code accept}) just as they would. Any other request is served at once.
 */
public final class HttpWork {
    private static final Pattern WORK = Pattern.compile("^GET /work/(\\d{1,6}) ");

    private HttpWork() {
    }

    /** The request line that costs {@code ms} milliseconds of work. */
    public static String request(int ms) {
        return ms == 0 ? "GET / HTTP/1.0\r\n\r\n" : "GET /work/" + ms + " HTTP/1.0\r\n\r\n";
    }

    /** Serves the request in the first {@code n} bytes of {@code buf}: waits out its work, if it has any. */
    public static void serve(byte[] buf, int n) {
        Matcher m = WORK.matcher(new String(buf, 0, n, StandardCharsets.US_ASCII));
        if (m.find()) {
            Sched.scheduleTimeoutUninterruptible(TimeUnit.MILLISECONDS.toNanos(Integer.parseInt(m.group(1))));
        }
    }
}
