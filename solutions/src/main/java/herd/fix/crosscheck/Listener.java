package herd.fix.crosscheck;

/** A listening socket on 127.0.0.1 made with the system calls themselves, on a port the kernel chose. */
record Listener(int fd, int port) {
    /** {@code socket(AF_INET, SOCK_STREAM | flags)}, {@code SO_REUSEADDR}, {@code bind} to 127.0.0.1:0, {@code listen(511)}. */
    static Listener open(int flags) {
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC | flags, 0);
        LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_REUSEADDR, new int[] {1}, 4);
        LibC.bind(fd, Sockaddr.loopback(0), Sockaddr.SIZE);
        LibC.listen(fd, 511);
        byte[] addr = new byte[Sockaddr.SIZE];
        LibC.getsockname(fd, addr, new int[] {Sockaddr.SIZE});
        return new Listener(fd, Sockaddr.port(addr));
    }
}
