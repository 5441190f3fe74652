package herd.socket;

/**
 * {@code struct sockaddr_in} (include/uapi/linux/in.h): a family, a port and an IPv4
 * address, both in host order here. {@link #toString()} prints it as strace does.
 */
public record SockaddrIn(int family, int port, int addr) {
    /** {@code sizeof(struct sockaddr_in)}. */
    public static final int SIZE = 16;
    /** {@code INADDR_ANY}: 0.0.0.0. */
    public static final int INADDR_ANY = 0;
    /** {@code INADDR_LOOPBACK}: 127.0.0.1. */
    public static final int INADDR_LOOPBACK = 0x7f000001;

    /** An {@code AF_INET} address: {@code inet("127.0.0.1", 80)}. */
    public static SockaddrIn inet(String dotted, int port) {
        return new SockaddrIn(Socket.AF_INET, port, parse(dotted));
    }

    /** Rejects what the C struct cannot hold. */
    public SockaddrIn {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException("sin_port is 16 bits: " + port);
        }
    }

    private static int parse(String dotted) {
        String[] parts = dotted.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not a dotted IPv4 address: " + dotted);
        }
        int addr = 0;
        for (String part : parts) {
            int b = Integer.parseInt(part);
            if (b < 0 || b > 255) {
                throw new IllegalArgumentException("not a dotted IPv4 address: " + dotted);
            }
            addr = addr << 8 | b;
        }
        return addr;
    }

    /** {@code addr} in dotted form ({@code inet_ntoa}). */
    public static String ntoa(int addr) {
        return (addr >>> 24) + "." + (addr >>> 16 & 0xff) + "." + (addr >>> 8 & 0xff) + "." + (addr & 0xff);
    }

    /** {@code 127.0.0.1:80}, for reports. */
    public String endpoint() {
        return ntoa(addr) + ":" + port;
    }

    @Override
    public String toString() {
        String fam = family == Socket.AF_INET ? "AF_INET" : Integer.toString(family);
        return "{sa_family=" + fam + ", sin_port=htons(" + port + "), sin_addr=inet_addr(\"" + ntoa(addr) + "\")}";
    }
}
