package herd.socket;

import static herd.course.kit.Processes.file;
import static herd.course.kit.Processes.inProcess;
import static herd.course.kit.Sockets.SERVER;
import static herd.course.kit.Sockets.bound;
import static herd.course.kit.Sockets.connect;
import static herd.course.kit.Sockets.listener;
import static herd.course.kit.Sockets.sk;
import static herd.course.kit.Sockets.sock;
import static herd.course.kit.Sockets.socket;
import static herd.course.kit.Sockets.state;
import static herd.course.kit.Syscalls.check;
import static herd.course.kit.Syscalls.errno;
import static herd.course.kit.Traces.strace;
import static herd.socket.SockOptions.SOL_SOCKET;
import static herd.socket.SockOptions.SO_ACCEPTCONN;
import static herd.socket.SockOptions.SO_ERROR;
import static herd.socket.SockOptions.SO_RCVTIMEO;
import static herd.socket.SockOptions.SO_REUSEADDR;
import static herd.socket.SockOptions.SO_REUSEPORT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import herd.course.kit.Schedulers;
import herd.fs.File;
import herd.fs.FilesStruct;
import herd.fs.Vfs;
import herd.inet.InetHashtables;
import herd.inet.TcpSock;
import herd.sched.DeterministicScheduler;
import herd.sched.Sched;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * net/socket.c's socket syscalls as the model gives them: {@code socket}, {@code bind}
 * (with {@code inet_bind} and the port rules of {@code inet_csk_get_port}),
 * {@code connect}'s and {@code accept4}'s own checks, {@code setsockopt} and
 * {@code getsockopt} of the SOL_SOCKET options, and the strace lines of each.
 */
class SocketCallsTest {
    private static final SockaddrIn ANY_80 = SockaddrIn.inet("0.0.0.0", 80);

    @AutoClose
    private final Schedulers schedulers = new Schedulers();
    private final DeterministicScheduler sched = schedulers.deterministic(1);

    private static int getInt(int fd, int optname) {
        int[] val = {-1};
        int[] len = {4};
        check(SocketCalls.getsockopt(fd, SOL_SOCKET, optname, val, len));
        assertThat(len[0]).as("an int option's length").isEqualTo(4);
        return val[0];
    }

    private static int reuse(int fd, int optname) {
        return (int) check(SocketCalls.setsockopt(fd, SOL_SOCKET, optname, 1));
    }

    // ---- socket --------------------------------------------------------------------------

    @Test
    @DisplayName("socket(AF_INET, SOCK_STREAM, 0 or IPPROTO_TCP): the lowest free fds, an unbound CLOSE sock")
    void socketGivesAnUnboundTcpSocket() {
        inProcess(sched, () -> {
            assertThat(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0))
                    .as("fds 0-2 are open: the first socket is 3").isEqualTo(3);
            assertThat(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, Socket.IPPROTO_TCP))
                    .as("IPPROTO_TCP names the stream protocol explicitly").isEqualTo(4);
            for (int fd : new int[] {3, 4}) {
                assertThat(file(fd)).as("a socket file").hasToString("socket:[tcp]");
                assertThat(file(fd).nonBlocking()).as("blocking unless SOCK_NONBLOCK").isFalse();
                assertThat(sock(fd).state).as("struct socket starts SS_UNCONNECTED").isEqualTo(Socket.SS_UNCONNECTED);
                assertThat(sock(fd).type).isEqualTo(Socket.SOCK_STREAM);
                TcpSock sk = sk(fd);
                assertThat(sk.skState).as("a new sock is CLOSE").isEqualTo(TcpSock.TCP_CLOSE);
                assertThat(sk.num).as("no port until bind, listen or connect").isZero();
                assertThat(sk.skUid).as("owned by the process's user").isEqualTo(1000);
                assertThat(sk.skRcvtimeo).as("SO_RCVTIMEO defaults to no timeout").isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
            }
        });
    }

    @Test
    @DisplayName("socket() checks flags, the family range, the type range, the family, the protocol range, the type, the protocol")
    void socketErrorsInKernelOrder() {
        inProcess(sched, () -> {
            Map<String, String> got = new LinkedHashMap<>();
            got.put("unknown flag bit 0x10", errno(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | 0x10, 0)));
            got.put("unknown flag, bad family too",
                    errno(SocketCalls.socket(99, Socket.SOCK_STREAM | 0x40000000, 0)));
            got.put("AF_UNIX (1)", errno(SocketCalls.socket(1, Socket.SOCK_STREAM, 0)));
            got.put("family -1", errno(SocketCalls.socket(-1, Socket.SOCK_STREAM, 0)));
            got.put("family 45", errno(SocketCalls.socket(45, Socket.SOCK_STREAM, 0)));
            got.put("family 46 (NPROTO)", errno(SocketCalls.socket(46, Socket.SOCK_STREAM, 0)));
            got.put("family 46, type 11", errno(SocketCalls.socket(46, 11, 0)));
            got.put("AF_UNIX, type 11", errno(SocketCalls.socket(1, 11, 0)));
            got.put("type 11 (SOCK_MAX)", errno(SocketCalls.socket(Socket.AF_INET, 11, 0)));
            got.put("type 15", errno(SocketCalls.socket(Socket.AF_INET, 15, 0)));
            got.put("SOCK_DGRAM (2)", errno(SocketCalls.socket(Socket.AF_INET, 2, 0)));
            got.put("type 0", errno(SocketCalls.socket(Socket.AF_INET, 0, 0)));
            got.put("SOCK_DGRAM, protocol 17", errno(SocketCalls.socket(Socket.AF_INET, 2, 17)));
            got.put("protocol 17 (UDP) on a stream", errno(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 17)));
            got.put("protocol -1", errno(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, -1)));
            got.put("protocol 263 (IPPROTO_MAX)", errno(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 263)));
            got.put("SOCK_DGRAM, protocol 263", errno(SocketCalls.socket(Socket.AF_INET, 2, 263)));
            got.put("AF_UNIX, protocol -1", errno(SocketCalls.socket(1, Socket.SOCK_STREAM, -1)));

            assertThat(got).as("__sys_socket checks flags first; __sock_create the family range (EAFNOSUPPORT) "
                    + "before the type range (EINVAL), then the family's create: inet_create checks the protocol's "
                    + "range (EINVAL), then has no list for the type (ESOCKTNOSUPPORT, the model has only "
                    + "streams) or no matching protocol (EPROTONOSUPPORT)").containsExactly(
                            Map.entry("unknown flag bit 0x10", "EINVAL"),
                            Map.entry("unknown flag, bad family too", "EINVAL"),
                            Map.entry("AF_UNIX (1)", "EAFNOSUPPORT"),
                            Map.entry("family -1", "EAFNOSUPPORT"),
                            Map.entry("family 45", "EAFNOSUPPORT"),
                            Map.entry("family 46 (NPROTO)", "EAFNOSUPPORT"),
                            Map.entry("family 46, type 11", "EAFNOSUPPORT"),
                            Map.entry("AF_UNIX, type 11", "EINVAL"),
                            Map.entry("type 11 (SOCK_MAX)", "EINVAL"),
                            Map.entry("type 15", "EINVAL"),
                            Map.entry("SOCK_DGRAM (2)", "ESOCKTNOSUPPORT"),
                            Map.entry("type 0", "ESOCKTNOSUPPORT"),
                            Map.entry("SOCK_DGRAM, protocol 17", "ESOCKTNOSUPPORT"),
                            Map.entry("protocol 17 (UDP) on a stream", "EPROTONOSUPPORT"),
                            Map.entry("protocol -1", "EINVAL"),
                            Map.entry("protocol 263 (IPPROTO_MAX)", "EINVAL"),
                            Map.entry("SOCK_DGRAM, protocol 263", "EINVAL"),
                            Map.entry("AF_UNIX, protocol -1", "EAFNOSUPPORT"));
            assertThat(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0))
                    .as("no failed call used up a descriptor").isEqualTo(3);
        });
    }

    @Test
    @DisplayName("SOCK_NONBLOCK sets O_NONBLOCK on the new file; SOCK_CLOEXEC is accepted and does not")
    void sockNonblockSetsONonblock() {
        inProcess(sched, () -> {
            int nb = socket(Socket.SOCK_NONBLOCK);
            int cloexec = socket(Socket.SOCK_CLOEXEC);
            int both = socket(Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC);
            assertThat(file(nb).fFlags).as("SOCK_NONBLOCK is O_NONBLOCK on the file").isEqualTo(File.O_NONBLOCK);
            assertThat(file(nb).nonBlocking()).isTrue();
            assertThat(file(cloexec).nonBlocking()).as("SOCK_CLOEXEC is a descriptor flag, not a file flag").isFalse();
            assertThat(file(both).nonBlocking()).isTrue();
        });
    }

    // ---- bind ------------------------------------------------------------------------------

    @Test
    @DisplayName("bind(): the fd (EBADF, ENOTSOCK) first, then the length (EINVAL), the copy (EFAULT), then inet_bind")
    void bindErrorsInKernelOrder() {
        inProcess(sched, () -> {
            int fd = socket(0);
            Map<String, String> got = new LinkedHashMap<>();
            got.put("fd 99", errno(SocketCalls.bind(99, SERVER, SockaddrIn.SIZE)));
            got.put("fd 99, addrlen 129", errno(SocketCalls.bind(99, SERVER, 129)));
            got.put("/dev/null", errno(SocketCalls.bind(0, SERVER, SockaddrIn.SIZE)));
            got.put("/dev/null, addrlen 129", errno(SocketCalls.bind(0, SERVER, 129)));
            got.put("/dev/null, NULL", errno(SocketCalls.bind(0, null, SockaddrIn.SIZE)));
            got.put("addrlen 129", errno(SocketCalls.bind(fd, SERVER, 129)));
            got.put("addrlen -1", errno(SocketCalls.bind(fd, SERVER, -1)));
            got.put("NULL, 16", errno(SocketCalls.bind(fd, null, SockaddrIn.SIZE)));
            got.put("NULL, 0", errno(SocketCalls.bind(fd, null, 0)));
            got.put("addrlen 15", errno(SocketCalls.bind(fd, SERVER, 15)));
            got.put("addrlen 128", errno(SocketCalls.bind(fd, new SockaddrIn(10, 80, SockaddrIn.INADDR_LOOPBACK), 128)));
            got.put("AF_INET6 (10)",
                    errno(SocketCalls.bind(fd, new SockaddrIn(10, 80, SockaddrIn.INADDR_LOOPBACK), SockaddrIn.SIZE)));
            got.put("AF_UNSPEC, 127.0.0.1",
                    errno(SocketCalls.bind(fd, new SockaddrIn(Socket.AF_UNSPEC, 80, SockaddrIn.INADDR_LOOPBACK),
                            SockaddrIn.SIZE)));
            got.put("10.0.0.1", errno(SocketCalls.bind(fd, SockaddrIn.inet("10.0.0.1", 80), SockaddrIn.SIZE)));
            got.put("127.0.0.1:80", errno(SocketCalls.bind(fd, SERVER, SockaddrIn.SIZE)));
            got.put("again, same address", errno(SocketCalls.bind(fd, SERVER, SockaddrIn.SIZE)));
            got.put("again, another port",
                    errno(SocketCalls.bind(fd, SockaddrIn.inet("127.0.0.1", 81), SockaddrIn.SIZE)));

            assertThat(got).as("sockfd_lookup_light before move_addr_to_kernel (length in [0, 128], then the "
                    + "copy), then inet_bind: length >= 16, AF_INET (or AF_UNSPEC with INADDR_ANY), a local "
                    + "address, and a socket not yet bound (EINVAL)").containsExactly(
                            Map.entry("fd 99", "EBADF"),
                            Map.entry("fd 99, addrlen 129", "EBADF"),
                            Map.entry("/dev/null", "ENOTSOCK"),
                            Map.entry("/dev/null, addrlen 129", "ENOTSOCK"),
                            Map.entry("/dev/null, NULL", "ENOTSOCK"),
                            Map.entry("addrlen 129", "EINVAL"),
                            Map.entry("addrlen -1", "EINVAL"),
                            Map.entry("NULL, 16", "EFAULT"),
                            Map.entry("NULL, 0", "EINVAL"),
                            Map.entry("addrlen 15", "EINVAL"),
                            Map.entry("addrlen 128", "EAFNOSUPPORT"),
                            Map.entry("AF_INET6 (10)", "EAFNOSUPPORT"),
                            Map.entry("AF_UNSPEC, 127.0.0.1", "EAFNOSUPPORT"),
                            Map.entry("10.0.0.1", "EADDRNOTAVAIL"),
                            Map.entry("127.0.0.1:80", "0"),
                            Map.entry("again, same address", "EINVAL"),
                            Map.entry("again, another port", "EINVAL"));
            assertThat(sk(fd).local()).as("the first bind holds").isEqualTo(SERVER);
        });
    }

    @Test
    @DisplayName("connect() checks the address (EINVAL, EFAULT) BEFORE it looks for a socket (ENOTSOCK)")
    void connectChecksTheAddressBeforeEnotsock() {
        inProcess(sched, () -> {
            Map<String, String> got = new LinkedHashMap<>();
            got.put("fd 99, addrlen 129", errno(SocketCalls.connect(99, SERVER, 129)));
            got.put("/dev/null, addrlen 129", errno(SocketCalls.connect(0, SERVER, 129)));
            got.put("/dev/null, addrlen -1", errno(SocketCalls.connect(0, SERVER, -1)));
            got.put("/dev/null, NULL", errno(SocketCalls.connect(0, null, SockaddrIn.SIZE)));
            got.put("/dev/null", errno(SocketCalls.connect(0, SERVER, SockaddrIn.SIZE)));
            assertThat(got).as("__sys_connect: fdget (EBADF), move_addr_to_kernel, then sock_from_file (ENOTSOCK); "
                    + "bind looks the socket up first").containsExactly(
                            Map.entry("fd 99, addrlen 129", "EBADF"),
                            Map.entry("/dev/null, addrlen 129", "EINVAL"),
                            Map.entry("/dev/null, addrlen -1", "EINVAL"),
                            Map.entry("/dev/null, NULL", "EFAULT"),
                            Map.entry("/dev/null", "ENOTSOCK"));
        });
    }

    @Test
    @DisplayName("bind() stores the local address and port; port 0 takes the first free one of ip_local_port_range")
    void bindStoresTheLocalEnd() {
        inProcess(sched, () -> {
            int fd = bound(SERVER, 0);
            assertThat(sk(fd).local()).as("inet_rcv_saddr and inet_num").isEqualTo(SERVER);
            assertThat(sk(fd).skState).as("bind does not change the state").isEqualTo(TcpSock.TCP_CLOSE);
            int any = bound(SockaddrIn.inet("0.0.0.0", 0), 0);
            assertThat(sk(any).local()).as("port 0: a free port from 32768 on")
                    .isEqualTo(SockaddrIn.inet("0.0.0.0", InetHashtables.LOCAL_PORT_LOW));
            int unspec = socket(0);
            SockaddrIn unspecAny = new SockaddrIn(Socket.AF_UNSPEC, 8080, SockaddrIn.INADDR_ANY);
            assertThat(SocketCalls.bind(unspec, unspecAny, SockaddrIn.SIZE))
                    .as("AF_UNSPEC with INADDR_ANY is taken as AF_INET (old applications)").isZero();
            assertThat(sk(unspec).local()).isEqualTo(SockaddrIn.inet("0.0.0.0", 8080));
            int other = socket(0);
            assertThat(SocketCalls.bind(other, SockaddrIn.inet("127.0.0.2", 80), SockaddrIn.SIZE))
                    .as("all of 127.0.0.0/8 is local, and 127.0.0.2 does not overlap 127.0.0.1").isZero();
        });
    }

    @Test
    @DisplayName("A second socket on a taken port: EADDRINUSE, on the same address and between a wildcard and 127.0.0.1")
    void aTakenPortGivesEaddrinuse() {
        inProcess(sched, () -> {
            bound(SERVER, 0);
            int second = socket(0);
            assertThat(errno(SocketCalls.bind(second, SERVER, SockaddrIn.SIZE))).as("same address and port")
                    .isEqualTo("EADDRINUSE");
            assertThat(sk(second).local()).as("a failed bind leaves the socket unbound")
                    .isEqualTo(SockaddrIn.inet("0.0.0.0", 0));
            assertThat(errno(SocketCalls.bind(second, ANY_80, SockaddrIn.SIZE)))
                    .as("the wildcard overlaps 127.0.0.1").isEqualTo("EADDRINUSE");
            assertThat(SocketCalls.bind(second, SockaddrIn.inet("127.0.0.1", 81), SockaddrIn.SIZE))
                    .as("after a failed bind the socket may still bind elsewhere").isZero();

            int any = bound(SockaddrIn.inet("0.0.0.0", 90), 0);
            int loop = socket(0);
            assertThat(errno(SocketCalls.bind(loop, SockaddrIn.inet("127.0.0.1", 90), SockaddrIn.SIZE)))
                    .as("127.0.0.1 overlaps a wildcard holder").isEqualTo("EADDRINUSE");
            assertThat(sk(any).num).isEqualTo(90);
        });
    }

    @Test
    @DisplayName("SO_REUSEADDR on both: bind succeeds while neither listens; once one listens the other cannot")
    void soReuseaddrSharesAPortUntilOneListens() {
        inProcess(sched, () -> {
            int a = socket(0);
            int b = socket(0);
            int c = socket(0);
            int plain = socket(0);
            reuse(a, SO_REUSEADDR);
            reuse(b, SO_REUSEADDR);
            reuse(c, SO_REUSEADDR);
            assertThat(SocketCalls.bind(a, SERVER, SockaddrIn.SIZE)).isZero();
            assertThat(SocketCalls.bind(b, SERVER, SockaddrIn.SIZE)).as("both SO_REUSEADDR, neither listening")
                    .isZero();
            assertThat(errno(SocketCalls.bind(plain, SERVER, SockaddrIn.SIZE)))
                    .as("SO_REUSEADDR must be set on both sockets").isEqualTo("EADDRINUSE");

            assertThat(SocketCalls.listen(a, 1)).as("the other holder does not listen: a may").isZero();
            assertThat(errno(SocketCalls.listen(b, 1)))
                    .as("inet_csk_listen_start takes the port again: the holder a now listens").isEqualTo("EADDRINUSE");
            assertThat(sk(b).skState).as("a failed listen leaves the socket CLOSE").isEqualTo(TcpSock.TCP_CLOSE);
            assertThat(getInt(b, SO_ACCEPTCONN)).as("b is not a listener").isZero();
            assertThat(errno(SocketCalls.bind(c, SERVER, SockaddrIn.SIZE)))
                    .as("a new bind next to a listener fails even with SO_REUSEADDR on all").isEqualTo("EADDRINUSE");
        });
    }

    @Test
    @DisplayName("SO_REUSEPORT on both sockets of the same user: bind succeeds; without it on both, EADDRINUSE")
    void soReuseportSameUserBinds() {
        inProcess(sched, () -> {
            int a = socket(0);
            int b = socket(0);
            int plain = socket(0);
            int onlyAddr = socket(0);
            reuse(a, SO_REUSEPORT);
            reuse(b, SO_REUSEPORT);
            reuse(onlyAddr, SO_REUSEADDR);
            assertThat(SocketCalls.bind(a, SERVER, SockaddrIn.SIZE)).isZero();
            assertThat(SocketCalls.bind(b, SERVER, SockaddrIn.SIZE)).as("both SO_REUSEPORT, same uid").isZero();
            assertThat(errno(SocketCalls.bind(plain, SERVER, SockaddrIn.SIZE))).as("no SO_REUSEPORT")
                    .isEqualTo("EADDRINUSE");
            assertThat(errno(SocketCalls.bind(onlyAddr, SERVER, SockaddrIn.SIZE)))
                    .as("SO_REUSEADDR alone does not join SO_REUSEPORT holders").isEqualTo("EADDRINUSE");
        });
    }

    @Test
    @DisplayName("close() gives the port back: the next bind of it succeeds")
    void closeFreesThePort() {
        inProcess(sched, () -> {
            int a = bound(SERVER, 0);
            assertThat(Vfs.close(a)).isZero();
            int b = socket(0);
            assertThat(SocketCalls.bind(b, SERVER, SockaddrIn.SIZE)).as("a bound socket closed: port free").isZero();
            assertThat(SocketCalls.listen(b, 5)).isZero();
            assertThat(Vfs.close(b)).isZero();
            int c = socket(0);
            assertThat(SocketCalls.bind(c, SERVER, SockaddrIn.SIZE)).as("a listener closed: port free").isZero();
        });
    }

    // ---- listen and accept4: the syscalls' own checks ----------------------------------------

    @Test
    @DisplayName("listen() and accept4(): EBADF, ENOTSOCK; accept4 rejects unknown flags (EINVAL) before the fd")
    void listenAndAcceptFdChecks() {
        inProcess(sched, () -> {
            int lfd = listener(5, Socket.SOCK_NONBLOCK);
            Map<String, String> got = new LinkedHashMap<>();
            got.put("listen(99)", errno(SocketCalls.listen(99, 5)));
            got.put("listen(/dev/null)", errno(SocketCalls.listen(0, 5)));
            got.put("accept4(99)", errno(SocketCalls.accept4(99, null, null, 0)));
            got.put("accept4(/dev/null)", errno(SocketCalls.accept4(0, null, null, 0)));
            got.put("accept4(99, flags 1)", errno(SocketCalls.accept4(99, null, null, 1)));
            got.put("accept4(/dev/null, flags 1)", errno(SocketCalls.accept4(0, null, null, 1)));
            got.put("accept4(listener, O_APPEND)", errno(SocketCalls.accept4(lfd, null, null, 0x400)));
            got.put("accept4(listener, SOCK_NONBLOCK|SOCK_CLOEXEC)",
                    errno(SocketCalls.accept4(lfd, null, null, Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC)));
            assertThat(got).as("net/socket.c since Linux 5.5: __sys_accept4 resolves the fd (EBADF) before "
                            + "__sys_accept4_file checks the flags (EINVAL); do_accept then looks the socket up (ENOTSOCK)")
                    .containsExactly(
                            Map.entry("listen(99)", "EBADF"),
                            Map.entry("listen(/dev/null)", "ENOTSOCK"),
                            Map.entry("accept4(99)", "EBADF"),
                            Map.entry("accept4(/dev/null)", "ENOTSOCK"),
                            Map.entry("accept4(99, flags 1)", "EBADF"),
                            Map.entry("accept4(/dev/null, flags 1)", "EINVAL"),
                            Map.entry("accept4(listener, O_APPEND)", "EINVAL"),
                            Map.entry("accept4(listener, SOCK_NONBLOCK|SOCK_CLOEXEC)", "EAGAIN"));
            assertThat(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0))
                    .as("the fd accept4 reserved before waiting was given back").isEqualTo(4);
        });
    }

    /**
     * net/socket.c since Linux 5.15 ("net: add accept helper not installing fd"):
     * {@code __sys_accept4_file} reserves the new descriptor ({@code get_unused_fd_flags})
     * before {@code do_accept} calls {@code sock_from_file}, so a full table is {@code EMFILE}
     * even for a file that is not a socket; a bad descriptor is still {@code EBADF} first.
     */
    @Test
    @DisplayName("accept4 in a full descriptor table: EBADF, then EINVAL, then EMFILE before ENOTSOCK (Linux >= 5.15)")
    void accept4ReservesTheFdBeforeLookingAtTheSocket() {
        inProcess(() -> {
            int lfd = listener(5, Socket.SOCK_NONBLOCK);
            while (Vfs.dup(0) >= 0) {
                // fill the table up to RLIMIT_NOFILE
            }
            Map<String, String> got = new LinkedHashMap<>();
            got.put("accept4(1024)", errno(SocketCalls.accept4(FilesStruct.NR_OPEN_DEFAULT, null, null, 0)));
            got.put("accept4(/dev/null, flags 1)", errno(SocketCalls.accept4(0, null, null, 1)));
            got.put("accept4(/dev/null)", errno(SocketCalls.accept4(0, null, null, 0)));
            got.put("accept4(listener)", errno(SocketCalls.accept4(lfd, null, null, 0)));
            assertThat(got).as("__sys_accept4: fdget (EBADF); __sys_accept4_file: flags (EINVAL), "
                            + "get_unused_fd_flags (EMFILE); do_accept: sock_from_file (ENOTSOCK)")
                    .containsExactly(
                            Map.entry("accept4(1024)", "EBADF"),
                            Map.entry("accept4(/dev/null, flags 1)", "EINVAL"),
                            Map.entry("accept4(/dev/null)", "EMFILE"),
                            Map.entry("accept4(listener)", "EMFILE"));
            assertThat(Vfs.close(500)).isZero();
            assertThat(errno(SocketCalls.accept4(0, null, null, 0)))
                    .as("with a free slot, the same call reaches sock_from_file").isEqualTo("ENOTSOCK");
            assertThat(Vfs.dup(0)).as("and gives the slot it reserved back").isEqualTo(500);
        });
    }

    @Test
    @DisplayName("accept4() fills in the peer's address and its length (16), and makes the new file non-blocking on SOCK_NONBLOCK")
    void accept4FillsThePeerAddress() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            int client = connect(Socket.SOCK_NONBLOCK, null);
            SockaddrIn[] addr = new SockaddrIn[1];
            int[] len = {100};
            int afd = (int) check(SocketCalls.accept4(lfd, addr, len, Socket.SOCK_NONBLOCK));
            assertThat(afd).isEqualTo(5);
            assertThat(addr[0]).as("the client's address").isEqualTo(sk(client).local());
            assertThat(addr[0]).isEqualTo(SockaddrIn.inet("127.0.0.1", 32768));
            assertThat(len[0]).as("the length written back is sizeof(struct sockaddr_in)").isEqualTo(16);
            assertThat(file(afd).nonBlocking()).as("SOCK_NONBLOCK is for the NEW file").isTrue();
            assertThat(file(lfd).nonBlocking()).as("the listener is unchanged").isFalse();
            assertThat(sock(afd).state).isEqualTo(Socket.SS_CONNECTED);
            assertThat(sk(afd).local()).isEqualTo(SERVER);
        });
    }

    @Test
    @DisplayName("accept4() with a negative address length: EINVAL after the dequeue, so the connection is lost (closed)")
    void accept4WithANegativeLengthLosesTheConnection() {
        inProcess(sched, () -> {
            int lfd = listener(5, Socket.SOCK_NONBLOCK);
            int client = connect(Socket.SOCK_NONBLOCK, null);
            SockaddrIn[] addr = new SockaddrIn[1];
            assertThat(errno(SocketCalls.accept4(lfd, addr, new int[] {-1}, 0)))
                    .as("move_addr_to_user: a negative length is EINVAL").isEqualTo("EINVAL");
            assertThat(addr[0]).as("nothing copied").isNull();
            assertThat(sk(lfd).icskAcceptQueue.acceptQueue()).as("the connection was dequeued all the same").isEmpty();
            assertThat(state(client))
                    .as("the new file was put: the child closed and its FIN reached the client").isEqualTo("CLOSE-WAIT");
            assertThat(errno(SocketCalls.accept4(lfd, addr, null, 0))).as("nothing left to accept").isEqualTo("EAGAIN");
            assertThat(SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0))
                    .as("the reserved fd 5 was given back").isEqualTo(5);
        });
    }

    @Test
    @DisplayName("accept4() with an address length of 0 copies no address but writes the length back (16); "
            + "with an address and no length: EFAULT, the connection lost")
    void accept4WithAZeroOrMissingLength() {
        inProcess(sched, () -> {
            int lfd = listener(5, Socket.SOCK_NONBLOCK);
            connect(Socket.SOCK_NONBLOCK, null);
            SockaddrIn[] addr = new SockaddrIn[1];
            int[] len = {0};
            assertThat(SocketCalls.accept4(lfd, addr, len, 0)).as("move_addr_to_user with *ulen == 0 succeeds")
                    .isEqualTo(5);
            assertThat(addr[0]).as("a 0-byte buffer gets no address").isNull();
            assertThat(len[0]).as("the length written back all the same").isEqualTo(SockaddrIn.SIZE);

            connect(Socket.SOCK_NONBLOCK, null);
            assertThat(errno(SocketCalls.accept4(lfd, addr, null, 0)))
                    .as("an address without a length: move_addr_to_user's get_user fails").isEqualTo("EFAULT");
            assertThat(addr[0]).as("nothing copied").isNull();
            assertThat(errno(SocketCalls.accept4(lfd, null, null, 0))).as("the connection was dequeued and closed")
                    .isEqualTo("EAGAIN");
        });
    }

    // ---- setsockopt, getsockopt ----------------------------------------------------------------

    @Test
    @DisplayName("SO_REUSEADDR and SO_REUSEPORT: 0 by default, any non-zero value sets them (read back as 1), 0 clears")
    void reuseOptionsRoundTrip() {
        inProcess(sched, () -> {
            int fd = socket(0);
            for (int opt : new int[] {SO_REUSEADDR, SO_REUSEPORT}) {
                assertThat(getInt(fd, opt)).as("off by default").isZero();
                assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, opt, 7)).isZero();
                assertThat(getInt(fd, opt)).as("valbool: any non-zero value is 1").isEqualTo(1);
                assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, opt, 0)).isZero();
                assertThat(getInt(fd, opt)).isZero();
            }
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1)).isZero();
            assertThat(sk(fd).skReuse).as("sk_reuse").isTrue();
            assertThat(sk(fd).skReuseport).as("sk_reuseport is a separate flag").isFalse();
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, new Timeval(1, 0)))
                    .as("an int option reads the first four bytes of a longer value").isZero();
            assertThat(sk(fd).skReuseport).isTrue();
        });
    }

    @Test
    @DisplayName("SO_ACCEPTCONN is 1 exactly on a listener; SO_ACCEPTCONN and SO_ERROR cannot be set (ENOPROTOOPT)")
    void soAcceptconn() {
        inProcess(sched, () -> {
            int fd = bound(SERVER, 0);
            assertThat(getInt(fd, SO_ACCEPTCONN)).as("bound, not listening").isZero();
            check(SocketCalls.listen(fd, 5));
            assertThat(getInt(fd, SO_ACCEPTCONN)).as("listening").isEqualTo(1);
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, 0)))
                    .as("read-only").isEqualTo("ENOPROTOOPT");
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_ERROR, 0))).as("read-only").isEqualTo("ENOPROTOOPT");
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, 99, 1))).as("unknown").isEqualTo("ENOPROTOOPT");
            assertThat(errno(SocketCalls.getsockopt(fd, SOL_SOCKET, 99, new int[1], new int[] {4})))
                    .as("unknown").isEqualTo("ENOPROTOOPT");
            Vfs.close(fd);
        });
    }

    @Test
    @DisplayName("SO_RCVTIMEO (sock_set_timeout): a timeval only; usec outside [0, 10^6) EDOM; negative sec 0; {0, 0} forever")
    void soRcvtimeo() {
        inProcess(sched, () -> {
            int fd = socket(0);
            TcpSock sk = sk(fd);
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, 5)))
                    .as("an int is shorter than a timeval: EINVAL").isEqualTo("EINVAL");
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(2, 500_000))).isZero();
            assertThat(sk.skRcvtimeo).as("2.5 s in ns").isEqualTo(2_500_000_000L);
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(1, 1_000_000))))
                    .as("tv_usec must be below 10^6").isEqualTo("EDOM");
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(1, -1))))
                    .as("tv_usec must not be negative").isEqualTo("EDOM");
            assertThat(sk.skRcvtimeo).as("a rejected value changes nothing").isEqualTo(2_500_000_000L);
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(-5, 999_999))).isZero();
            assertThat(sk.skRcvtimeo).as("a negative time is 0: the socket's receives no longer block").isZero();
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(0, 0))).isZero();
            assertThat(sk.skRcvtimeo).as("{0, 0}: no timeout").isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(0, 1))).isZero();
            assertThat(sk.skRcvtimeo).as("1 us").isEqualTo(1_000L);
            assertThat(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(Long.MAX_VALUE, 0))).isZero();
            assertThat(sk.skRcvtimeo).as("too long to count is no timeout").isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
        });
    }

    @Test
    @DisplayName("SO_RCVTIMEO bounds a blocking accept(): EAGAIN when it runs out, in virtual time; a negative one never waits")
    void soRcvtimeoBoundsABlockingAccept() {
        long[] at = new long[2];
        String[] got = new String[2];
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            check(SocketCalls.setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(1, 500_000)));
            got[0] = errno(SocketCalls.accept4(lfd, null, null, 0));
            at[0] = sched.clock();
            check(SocketCalls.setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(-1, 0)));
            got[1] = errno(SocketCalls.accept4(lfd, null, null, 0));
            at[1] = sched.clock();
        });
        assertThat(got).as("inet_csk_wait_for_connect: timeout used up => EAGAIN; timeout 0 => EAGAIN at once")
                .containsExactly("EAGAIN", "EAGAIN");
        assertThat(at).as("the first waited 1.5 s of virtual time, the second not at all")
                .containsExactly(1_500_000_000L, 1_500_000_000L);
    }

    @Test
    @DisplayName("getsockopt(): a negative optlen is EINVAL; the length written back is min(optlen, 4)")
    void getsockoptLength() {
        inProcess(sched, () -> {
            int fd = socket(0);
            check(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, 1));
            int[] val = {-1};
            assertThat(errno(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, val, new int[] {-1})))
                    .isEqualTo("EINVAL");
            assertThat(val[0]).as("nothing written on EINVAL").isEqualTo(-1);
            int[] len = {2};
            assertThat(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, val, len)).isZero();
            assertThat(len[0]).as("a 2-byte buffer gets 2 bytes").isEqualTo(2);
            len[0] = 100;
            assertThat(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, val, len)).isZero();
            assertThat(len[0]).as("a large buffer: the int's 4").isEqualTo(4);
            val[0] = -1;
            len[0] = 0;
            assertThat(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, val, len)).isZero();
            assertThat(len[0]).isZero();
            assertThat(val[0]).as("a 0-byte buffer gets nothing").isEqualTo(-1);
            Map<String, String> fds = new LinkedHashMap<>();
            fds.put("getsockopt(99)", errno(SocketCalls.getsockopt(99, SOL_SOCKET, SO_REUSEADDR, val, new int[] {4})));
            fds.put("getsockopt(/dev/null)", errno(SocketCalls.getsockopt(0, SOL_SOCKET, SO_REUSEADDR, val, new int[] {4})));
            fds.put("setsockopt(99)", errno(SocketCalls.setsockopt(99, SOL_SOCKET, SO_REUSEADDR, 1)));
            fds.put("setsockopt(/dev/null)", errno(SocketCalls.setsockopt(0, SOL_SOCKET, SO_REUSEADDR, 1)));
            assertThat(fds).containsExactly(Map.entry("getsockopt(99)", "EBADF"),
                    Map.entry("getsockopt(/dev/null)", "ENOTSOCK"), Map.entry("setsockopt(99)", "EBADF"),
                    Map.entry("setsockopt(/dev/null)", "ENOTSOCK"));
        });
    }

    @Test
    @DisplayName("setsockopt(), getsockopt() and shutdown() hold the file only for the call (fdget/fdput): "
            + "its reference count is back to 1 after each, and close() then releases the socket")
    void optionsAndShutdownPutTheirFileReference() {
        inProcess(sched, () -> {
            int lfd = listener(5, 0);
            File file = file(lfd);
            check(SocketCalls.setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1));
            assertThat(file.fileCount()).as("after setsockopt").isEqualTo(1);
            check(SocketCalls.getsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, new int[1], new int[] {4}));
            assertThat(file.fileCount()).as("after getsockopt").isEqualTo(1);
            check(SocketCalls.shutdown(lfd, Socket.SHUT_WR));
            assertThat(file.fileCount()).as("after shutdown").isEqualTo(1);
            TcpSock sk = sk(lfd);
            check(Vfs.close(lfd));
            assertThat(file.fileCount()).as("close() put the last reference").isZero();
            assertThat(sk.skState).as("so the socket was released: tcp_close").isEqualTo(TcpSock.TCP_CLOSE);
        });
    }

    @Test
    @DisplayName("the model has SOL_SOCKET options only: another level is a mistake of the caller, named in the error")
    void optionsOfAnotherLevelAreOutsideTheModel() {
        inProcess(sched, () -> {
            int fd = socket(0);
            int ipprotoTcp = 6;
            assertThatThrownBy(() -> SocketCalls.setsockopt(fd, ipprotoTcp, SO_REUSEADDR, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not level 6");
            assertThatThrownBy(() -> SocketCalls.getsockopt(fd, ipprotoTcp, SO_REUSEADDR, new int[1], new int[] {4}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not level 6");
        });
    }

    @Test
    @DisplayName("SO_ERROR returns the pending error (sock_error) and clears it, even into a 0-byte buffer")
    void soErrorReadsAndClears() {
        inProcess(sched, () -> {
            int fd = socket(Socket.SOCK_NONBLOCK);
            assertThat(getInt(fd, SO_ERROR)).as("no error").isZero();
            sk(fd).skErr = 111;
            assertThat(getInt(fd, SO_ERROR)).as("ECONNREFUSED, positive").isEqualTo(111);
            assertThat(sk(fd).skErr).as("cleared by reading it").isZero();
            assertThat(getInt(fd, SO_ERROR)).isZero();
            sk(fd).skErr = 104;
            int[] len = {0};
            assertThat(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_ERROR, new int[1], len)).isZero();
            assertThat(sk(fd).skErr).as("sock_error runs before the length is used").isZero();
        });
    }

    // ---- strace -----------------------------------------------------------------------------

    @Test
    @DisplayName("strace prints the socket calls as strace -f does: addresses, lengths, flags, option values")
    void straceLines() {
        inProcess(sched, () -> {
            int lfd = socket(Socket.SOCK_NONBLOCK | Socket.SOCK_CLOEXEC);
            SocketCalls.setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, 1);
            SocketCalls.setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(2, 500_000));
            SocketCalls.getsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, new int[1], new int[] {4});
            SocketCalls.getsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, new int[1], new int[] {-1});
            SocketCalls.bind(lfd, SERVER, SockaddrIn.SIZE);
            SocketCalls.listen(lfd, 511);
            SocketCalls.accept4(lfd, new SockaddrIn[1], new int[] {SockaddrIn.SIZE}, Socket.SOCK_NONBLOCK);
            int cfd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, Socket.IPPROTO_TCP);
            SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE);
            SocketCalls.accept4(lfd, new SockaddrIn[1], new int[] {SockaddrIn.SIZE}, Socket.SOCK_NONBLOCK);
            SocketCalls.accept4(lfd, null, null, 0);
            SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 17);
        });
        List<String> lines = new ArrayList<>(strace(sched));
        assertThat(lines).as("strace -f of the calls, in order").containsExactly(
                "[pid   100] socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3",
                "[pid   100] setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
                "[pid   100] setsockopt(3, SOL_SOCKET, SO_RCVTIMEO_OLD, {tv_sec=2, tv_usec=500000}, 16) = 0",
                "[pid   100] getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], [4]) = 0",
                "[pid   100] getsockopt(3, SOL_SOCKET, SO_REUSEADDR, 0x7ffc0000, 0x7ffc0004) = -1 EINVAL (Invalid argument)",
                "[pid   100] bind(3, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
                "[pid   100] listen(3, 511) = 0",
                "[pid   100] accept4(3, 0x7ffc0000, [16], SOCK_NONBLOCK) = -1 EAGAIN (Resource temporarily unavailable)",
                "[pid   100] socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4",
                "[pid   100] connect(4, {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
                "[pid   100] accept4(3, {sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr(\"127.0.0.1\")}, "
                        + "[16 => 16], SOCK_NONBLOCK) = 5",
                "[pid   100] accept4(3, NULL, NULL, 0) = -1 EAGAIN (Resource temporarily unavailable)",
                "[pid   100] socket(AF_INET, SOCK_STREAM, 17) = -1 EPROTONOSUPPORT (Protocol not supported)");
    }

    @Test
    @DisplayName("strace of failed calls: a NULL address, a refused or in-progress connect, the errno and its text")
    void straceOfFailures() {
        inProcess(sched, () -> {
            int fd = socket(0);
            SocketCalls.bind(fd, null, SockaddrIn.SIZE);
            SocketCalls.connect(fd, null, SockaddrIn.SIZE);
            SocketCalls.connect(fd, SockaddrIn.inet("127.0.0.1", 81), SockaddrIn.SIZE);
            int nb = socket(Socket.SOCK_NONBLOCK);
            SocketCalls.connect(nb, SockaddrIn.inet("127.0.0.1", 81), SockaddrIn.SIZE);
            SocketCalls.connect(nb, SockaddrIn.inet("127.0.0.1", 81), SockaddrIn.SIZE);
            SocketCalls.listen(0, 5);
        });
        String to81 = "{sa_family=AF_INET, sin_port=htons(81), sin_addr=inet_addr(\"127.0.0.1\")}";
        assertThat(strace(sched)).containsExactly(
                "[pid   100] socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "[pid   100] bind(3, NULL, 16) = -1 EFAULT (Bad address)",
                "[pid   100] connect(3, NULL, 16) = -1 EFAULT (Bad address)",
                "[pid   100] connect(3, " + to81 + ", 16) = -1 ECONNREFUSED (Connection refused)",
                "[pid   100] socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, IPPROTO_IP) = 4",
                "[pid   100] connect(4, " + to81 + ", 16) = -1 EINPROGRESS (Operation now in progress)",
                "[pid   100] connect(4, " + to81 + ", 16) = -1 ECONNREFUSED (Connection refused)",
                "[pid   100] listen(0, 5) = -1 ENOTSOCK (Socket operation on non-socket)");
    }

    // ---- file references, descriptor 0, the option and address bounds ---------------------------

    @Test
    @DisplayName("bind(), listen(), connect() and accept4() hold the file only for the call (fdget/fdput), "
            + "on success and on failure; so does the socket lookup that finds no socket (ENOTSOCK)")
    void theCallsPutTheirFileReference() {
        inProcess(sched, () -> {
            int lfd = socket(Socket.SOCK_NONBLOCK);
            File lfile = file(lfd);
            Map<String, Long> counts = new LinkedHashMap<>();
            check(SocketCalls.bind(lfd, SERVER, SockaddrIn.SIZE));
            counts.put("bind", lfile.fileCount());
            assertThat(errno(SocketCalls.bind(lfd, SERVER, 129))).isEqualTo("EINVAL");
            counts.put("bind, EINVAL", lfile.fileCount());
            check(SocketCalls.listen(lfd, 5));
            counts.put("listen", lfile.fileCount());
            assertThat(errno(SocketCalls.accept4(lfd, null, null, 0))).isEqualTo("EAGAIN");
            counts.put("accept4, EAGAIN", lfile.fileCount());
            int cfd = socket(0);
            File cfile = file(cfd);
            check(SocketCalls.connect(cfd, SERVER, SockaddrIn.SIZE));
            counts.put("connect", cfile.fileCount());
            assertThat(errno(SocketCalls.connect(cfd, null, SockaddrIn.SIZE))).isEqualTo("EFAULT");
            counts.put("connect, EFAULT", cfile.fileCount());
            int afd = (int) check(SocketCalls.accept4(lfd, new SockaddrIn[1], new int[] {SockaddrIn.SIZE}, 0));
            counts.put("accept4", lfile.fileCount());
            counts.put("the accepted file", file(afd).fileCount());
            assertThat(counts).as("each call's fdput gives back the reference its fdget took: only the descriptor's "
                    + "remains").containsExactly(Map.entry("bind", 1L), Map.entry("bind, EINVAL", 1L),
                            Map.entry("listen", 1L), Map.entry("accept4, EAGAIN", 1L), Map.entry("connect", 1L),
                            Map.entry("connect, EFAULT", 1L), Map.entry("accept4", 1L),
                            Map.entry("the accepted file", 1L));

            File devNull = file(0);
            assertThat(devNull.fileCount()).as("/dev/null behind fds 0, 1 and 2").isEqualTo(3);
            List<String> notSockets = List.of(errno(SocketCalls.bind(0, SERVER, SockaddrIn.SIZE)),
                    errno(SocketCalls.listen(0, 5)), errno(SocketCalls.connect(0, SERVER, SockaddrIn.SIZE)),
                    errno(SocketCalls.accept4(0, null, null, 0)), errno(SocketCalls.shutdown(0, Socket.SHUT_RD)),
                    errno(SocketCalls.setsockopt(0, SOL_SOCKET, SO_REUSEADDR, 1)),
                    errno(SocketCalls.getsockopt(0, SOL_SOCKET, SO_REUSEADDR, new int[1], new int[] {4})));
            assertThat(notSockets).as("each call on /dev/null").containsOnly("ENOTSOCK").hasSize(7);
            assertThat(devNull.fileCount()).as("sockfd_lookup_light puts the file it found not to be a socket")
                    .isEqualTo(3);
            check(Vfs.close(lfd));
            assertThat(lfile.fileCount()).as("close() put the last reference").isZero();
            assertThat(sk(afd).skState).as("the accepted socket lives on").isEqualTo(TcpSock.TCP_ESTABLISHED);
        });
    }

    @Test
    @DisplayName("AF_UNSPEC (0) is inside [0, NPROTO): socket() checks the type's range next (EINVAL), and only then "
            + "finds no family 0 (EAFNOSUPPORT)")
    void afUnspecPassesTheFamilyRangeCheck() {
        inProcess(sched, () -> {
            assertThat(errno(SocketCalls.socket(Socket.AF_UNSPEC, 11, 0)))
                    .as("__sock_create: family 0 is in range, type 11 is not").isEqualTo("EINVAL");
            assertThat(errno(SocketCalls.socket(Socket.AF_UNSPEC, Socket.SOCK_STREAM, 0)))
                    .as("no protocol family registers AF_UNSPEC").isEqualTo("EAFNOSUPPORT");
        });
    }

    @Test
    @DisplayName("connect(fd, NULL, 0): move_addr_to_kernel copies nothing and succeeds, so a non-socket is ENOTSOCK")
    void aZeroLengthAddressPassesMoveAddrToKernel() {
        inProcess(sched, () -> {
            assertThat(errno(SocketCalls.connect(0, null, 0)))
                    .as("a length of 0 with no address is no fault (EFAULT needs ulen > 0), and 0 is in [0, 128]")
                    .isEqualTo("ENOTSOCK");
        });
    }

    @Test
    @DisplayName("with stdin closed, accept4() may return descriptor 0: the lowest free one, installed and traced")
    void accept4CanReturnDescriptorZero() {
        inProcess(sched, () -> {
            int lfd = listener(5, Socket.SOCK_NONBLOCK);
            int client = connect(Socket.SOCK_NONBLOCK, null);
            check(Vfs.close(0));
            SockaddrIn[] addr = new SockaddrIn[1];
            int[] len = {SockaddrIn.SIZE};
            assertThat(SocketCalls.accept4(lfd, addr, len, 0)).as("get_unused_fd_flags: fd 0 is free").isZero();
            assertThat(sk(0).skState).as("fd 0 is the accepted connection").isEqualTo(TcpSock.TCP_ESTABLISHED);
            assertThat(addr[0]).as("its peer").isEqualTo(sk(client).local());
            assertThat(lfd).isEqualTo(3);
        });
        assertThat(strace(sched)).as("strace shows the address written for a result of 0 too").contains(
                "[pid   100] accept4(3, {sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr(\"127.0.0.1\")}, "
                        + "[16 => 16], 0) = 0");
    }

    @Test
    @DisplayName("getsockopt() without a value or a length buffer: EFAULT, as the copy from user memory fails")
    void getsockoptWithoutBuffersIsEfault() {
        inProcess(sched, () -> {
            int fd = socket(0);
            assertThat(errno(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, new int[1], null)))
                    .as("no optlen").isEqualTo("EFAULT");
            assertThat(errno(SocketCalls.getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, null, new int[] {4})))
                    .as("no optval").isEqualTo("EFAULT");
        });
    }

    @Test
    @DisplayName("SO_RCVTIMEO: a tv_sec of MAX_SCHEDULE_TIMEOUT's seconds minus 1 or more is no timeout; one second "
            + "less is kept")
    void soRcvtimeoUpperBound() {
        long limit = Long.MAX_VALUE / 1_000_000_000L - 1;
        inProcess(sched, () -> {
            int fd = socket(0);
            check(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(limit - 1, 999_999)));
            assertThat(sk(fd).skRcvtimeo).as("sock_set_timeout: tv_sec < MAX_SCHEDULE_TIMEOUT / HZ - 1 is converted")
                    .isEqualTo((limit - 1) * 1_000_000_000L + 999_999_000L);
            check(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Timeval(limit, 0)));
            assertThat(sk(fd).skRcvtimeo).as("at the limit it stays MAX_SCHEDULE_TIMEOUT")
                    .isEqualTo(Sched.MAX_SCHEDULE_TIMEOUT);
        });
    }

    @Test
    @DisplayName("strace names the family, type, protocol, option, shutdown how and accept4 flags it knows, "
            + "and prints the others as numbers")
    void straceNames() {
        inProcess(sched, () -> {
            int fd = socket(0);
            SocketCalls.socket(Socket.AF_UNSPEC, Socket.SOCK_STREAM, Socket.IPPROTO_TCP);
            SocketCalls.socket(10, 2 | Socket.SOCK_CLOEXEC | 0x40, 17);
            SocketCalls.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, 1);
            SocketCalls.setsockopt(fd, SOL_SOCKET, SO_ERROR, 1);
            SocketCalls.setsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, 1);
            SocketCalls.setsockopt(fd, SOL_SOCKET, 99, 1);
            SocketCalls.shutdown(fd, Socket.SHUT_RD);
            SocketCalls.shutdown(fd, Socket.SHUT_WR);
            SocketCalls.shutdown(fd, Socket.SHUT_RDWR);
            SocketCalls.shutdown(fd, 7);
            SocketCalls.accept4(fd, new SockaddrIn[1], new int[] {SockaddrIn.SIZE},
                    Socket.SOCK_CLOEXEC | Socket.SOCK_NONBLOCK);
            SocketCalls.accept4(fd, null, new int[] {SockaddrIn.SIZE}, 0x400);
        });
        assertThat(strace(sched)).containsExactly(
                "[pid   100] socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "[pid   100] socket(AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP) = -1 EAFNOSUPPORT (Address family not supported by protocol)",
                "[pid   100] socket(10, 2|SOCK_CLOEXEC|0x40, 17) = -1 EINVAL (Invalid argument)",
                "[pid   100] setsockopt(3, SOL_SOCKET, SO_REUSEPORT, [1], 4) = 0",
                "[pid   100] setsockopt(3, SOL_SOCKET, SO_ERROR, [1], 4) = -1 ENOPROTOOPT (Protocol not available)",
                "[pid   100] setsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [1], 4) = -1 ENOPROTOOPT (Protocol not available)",
                "[pid   100] setsockopt(3, SOL_SOCKET, 99, [1], 4) = -1 ENOPROTOOPT (Protocol not available)",
                "[pid   100] shutdown(3, SHUT_RD) = -1 ENOTCONN (Transport endpoint is not connected)",
                "[pid   100] shutdown(3, SHUT_WR) = -1 ENOTCONN (Transport endpoint is not connected)",
                "[pid   100] shutdown(3, SHUT_RDWR) = -1 ENOTCONN (Transport endpoint is not connected)",
                "[pid   100] shutdown(3, 7) = -1 EINVAL (Invalid argument)",
                "[pid   100] accept4(3, 0x7ffc0000, [16], SOCK_CLOEXEC|SOCK_NONBLOCK) = -1 EINVAL (Invalid argument)",
                "[pid   100] accept4(3, NULL, [16], 0x400) = -1 EINVAL (Invalid argument)");
    }

    @Test
    @DisplayName("struct sockaddr_in holds a 16-bit port and a dotted IPv4 address of four bytes; strace prints a "
            + "family it does not know as a number")
    void sockaddrInBounds() {
        assertThat(new SockaddrIn(Socket.AF_INET, 0, 0).port()).isZero();
        assertThat(new SockaddrIn(Socket.AF_INET, 0xffff, 0).port()).isEqualTo(65535);
        assertThatThrownBy(() -> new SockaddrIn(Socket.AF_INET, 0x10000, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bits");
        assertThatThrownBy(() -> new SockaddrIn(Socket.AF_INET, -1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bits");
        assertThat(SockaddrIn.inet("255.255.255.255", 1).addr()).isEqualTo(-1);
        assertThat(SockaddrIn.inet("0.0.0.0", 1).addr()).isZero();
        assertThat(SockaddrIn.inet("10.1.2.3", 8080).endpoint()).isEqualTo("10.1.2.3:8080");
        for (String bad : new String[] {"256.0.0.1", "1.2.3.-1", "1.2.3", "1.2.3.4.5"}) {
            assertThatThrownBy(() -> SockaddrIn.inet(bad, 80)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a dotted IPv4 address");
        }
        assertThat(new SockaddrIn(10, 80, SockaddrIn.INADDR_LOOPBACK))
                .hasToString("{sa_family=10, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}");
    }

    @Test
    @DisplayName("an int option given a timeval reads its first four bytes and fails as the int call would: "
            + "SO_ERROR is read-only (ENOPROTOOPT)")
    void aTimevalForAReadOnlyIntOptionIsEnoprotoopt() {
        inProcess(sched, () -> {
            int fd = socket(0);
            assertThat(errno(SocketCalls.setsockopt(fd, SOL_SOCKET, SO_ERROR, new Timeval(1, 0))))
                    .isEqualTo("ENOPROTOOPT");
        });
    }
}
