package herd.socket;

/** {@code struct timeval}, the value of {@code SO_RCVTIMEO}. */
public record Timeval(long tvSec, long tvUsec) {
    @Override
    public String toString() {
        return "{tv_sec=" + tvSec + ", tv_usec=" + tvUsec + "}";
    }
}
