package herd.fix.crosscheck;

/** {@code struct sockaddr_in} for 127.0.0.1, and {@code struct epoll_event}, as bytes in the machine's layout. */
final class Sockaddr {
    static final int SIZE = 16;
    /** x86-64 packs {@code struct epoll_event} (12 bytes, data at 4); other 64-bit machines align it (16, at 8). */
    static final int EVENT_SIZE = System.getProperty("os.arch").equals("amd64") ? 12 : 16;
    private static final int EVENT_DATA = EVENT_SIZE == 12 ? 4 : 8;

    private Sockaddr() {
    }

    /** 127.0.0.1:{@code port}: the family in host order (little-endian), port and address in network order. */
    static byte[] loopback(int port) {
        byte[] a = new byte[SIZE];
        a[0] = (byte) LibC.AF_INET;
        a[2] = (byte) (port >>> 8);
        a[3] = (byte) port;
        a[4] = 127;
        a[7] = 1;
        return a;
    }

    /** The port of a {@code sockaddr_in}. */
    static int port(byte[] a) {
        return (a[2] & 0xff) << 8 | a[3] & 0xff;
    }

    /** One {@code struct epoll_event} with {@code events} and {@code data}. */
    static byte[] event(int events, long data) {
        byte[] e = new byte[EVENT_SIZE];
        putInt(e, 0, events);
        putInt(e, EVENT_DATA, (int) data);
        putInt(e, EVENT_DATA + 4, (int) (data >>> 32));
        return e;
    }

    /** The data of the {@code i}-th event of an {@code epoll_wait} array. */
    static long data(byte[] events, int i) {
        int at = i * EVENT_SIZE + EVENT_DATA;
        return (getInt(events, at) & 0xffffffffL) | (long) getInt(events, at + 4) << 32;
    }

    private static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static int getInt(byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (b[at + i] & 0xff) << (8 * i);
        }
        return v;
    }
}
