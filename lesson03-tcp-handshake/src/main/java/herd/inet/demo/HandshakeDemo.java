package herd.inet.demo;

import static herd.epoll.Epoll.EPOLL_CTL_ADD;
import static herd.fs.Poll.EPOLLIN;

import herd.epoll.Epoll;
import herd.epoll.EpollEvent;
import herd.fs.File;
import herd.fs.PollFd;
import herd.fs.Process;
import herd.fs.Select;
import herd.inet.Mib;
import herd.inet.Net;
import herd.inet.TcpSock;
import herd.sched.DeterministicScheduler;
import herd.socket.SockaddrIn;
import herd.socket.Socket;
import herd.socket.SocketCalls;
import herd.trace.AsciiSequenceFormat;
import herd.trace.FtraceFormat;
import herd.trace.MermaidFormat;
import herd.trace.StraceFormat;
import herd.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * Lesson 3's demo. First, one connection to a listener that a server thread watches
 * with epoll: the client's {@code connect()} runs the whole handshake on the loopback,
 * and its last step, in the client's own context, wakes the server
 * ({@code tcp_v4_rcv -> tcp_child_process -> sock_def_readable -> ep_poll_callback}).
 * Then the backlog rules: with {@code listen(fd, 1)} and nobody accepting, two
 * connections complete, the third SYN is dropped and counted; when the server accepts
 * one, the third client's retransmit timer gets it in, with no help from the client.
 */
public final class HandshakeDemo {
    private static final SockaddrIn SERVER = SockaddrIn.inet("127.0.0.1", 80);
    private static final long SECOND = 1_000_000_000L;

    private HandshakeDemo() {
    }

    /** Runs both parts. */
    public static void main(String[] args) {
        oneConnection();
        backlog();
    }

    private static void oneConnection() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            sched.pidsFrom(100);
            Process server = new Process(sched, "server");
            int[] lfd = new int[1];
            server.spawn("server", () -> {
                lfd[0] = listener(511);
                int epfd = (int) Epoll.epollCreate1(0);
                Epoll.epollCtl(epfd, EPOLL_CTL_ADD, lfd[0], new EpollEvent(EPOLLIN, lfd[0]));
                Epoll.epollWait(epfd, new EpollEvent[] {new EpollEvent()}, 1, -1);
                SocketCalls.accept4(lfd[0], new SockaddrIn[1], new int[] {SockaddrIn.SIZE}, Socket.SOCK_NONBLOCK);
            });
            sched.runUntilIdle();
            int connectAt = sched.trace().events().size();
            new Process(sched, "client").spawn("client", () -> {
                int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0);
                SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
            });
            sched.runUntilIdle();

            List<TraceEvent> trace = sched.trace().events();
            System.out.println("=== one connection: a server thread in epoll_wait on the listener, a client connects ===");
            System.out.println();
            System.out.print(StraceFormat.render(trace));
            System.out.println();
            System.out.println("The client's connect() in the kernel (ftrace function_graph): SYN, SYN-ACK, final ACK,");
            System.out.println("all on the loopback in the client's context; the last step wakes the server:");
            List<TraceEvent> connect = trace.subList(connectAt, connectExit(trace) + 1);
            System.out.println(FtraceFormat.render(connect));
            System.out.println("The same, as a Mermaid sequence diagram:");
            System.out.println(MermaidFormat.fenced(connect));
            System.out.println("The same diagram in plain text:");
            System.out.println(AsciiSequenceFormat.render(connect));
        }
    }

    private static int connectExit(List<TraceEvent> trace) {
        for (int i = 0; i < trace.size(); i++) {
            if (trace.get(i).kind() == TraceEvent.Kind.SYSCALL_EXIT && trace.get(i).name().equals("connect")) {
                return i;
            }
        }
        throw new IllegalStateException("the client never returned from connect()");
    }

    private static void backlog() {
        try (DeterministicScheduler sched = new DeterministicScheduler(1)) {
            sched.pidsFrom(200);
            TcpSock[] listener = new TcpSock[1];
            TcpSock[] client3 = new TcpSock[1];
            Process server = new Process(sched, "server");
            server.spawn("server", () -> {
                int fd = listener(1);
                listener[0] = sk(fd);
                pause();
            });
            sched.runUntil(sched.clock());
            for (int i = 1; i <= 3; i++) {
                int n = i;
                new Process(sched, "client" + i).spawn("client" + i, () -> {
                    int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM | Socket.SOCK_NONBLOCK, 0);
                    SocketCalls.connect(fd, SERVER, SockaddrIn.SIZE);
                    if (n == 3) {
                        client3[0] = sk(fd);
                    }
                    pause();
                });
                sched.runUntil(sched.clock());
            }
            Net net = Net.of(sched);
            System.out.println("=== the backlog: listen(fd, 1), three non-blocking connects, nobody accepts ===");
            System.out.println();
            System.out.print(StraceFormat.render(sched.trace().events()));
            System.out.println();
            System.out.printf("accept queue: %d connections (sk_ack_backlog %d, sk_max_ack_backlog %d: full only ABOVE it)%n",
                    listener[0].icskAcceptQueue.acceptQueue().size(), listener[0].skAckBacklog,
                    listener[0].skMaxAckBacklog);
            System.out.printf("SYN queue:    %d requests%n", listener[0].icskAcceptQueue.len());
            for (Mib m : List.of(Mib.LISTEN_OVERFLOWS, Mib.LISTEN_DROPS, Mib.PASSIVE_OPENS)) {
                System.out.printf("%-22s %d%n", m.nstatName(), net.stat(m));
            }
            System.out.println("client3: " + TcpSock.stateName(client3[0].skState)
                    + ": its SYN was dropped; its retransmit timer will send it again.");
            System.out.println();

            int timeline = sched.trace().events().size();
            server.spawn("acceptor", () -> {
                Select.poll(new PollFd[0], 1500);
                SocketCalls.accept4(3, null, null, 0);
            });
            sched.runUntil(5 * SECOND);
            System.out.println("=== then time passes: the server accepts one connection at 1.5 s ===");
            System.out.println();
            System.out.println("The retransmit timer fires in timer context (<idle>-0), whatever client3 does: at 1 s");
            System.out.println("the queue is still full, at 3 s (after 2 s: the timeout doubled) the SYN gets in:");
            System.out.println(FtraceFormat.render(retransmissions(sched.trace().events().subList(timeline,
                    sched.trace().events().size()))));
            for (Mib m : List.of(Mib.LISTEN_OVERFLOWS, Mib.LISTEN_DROPS, Mib.PASSIVE_OPENS)) {
                System.out.printf("%-22s %d%n", m.nstatName(), net.stat(m));
            }
            System.out.println("client3: " + TcpSock.stateName(client3[0].skState) + ", without calling anything.");
            System.out.println();
        }
    }

    /** The timer's calls of {@code tcp_retransmit_skb}, each with what it caused up to the next task's event. */
    private static List<TraceEvent> retransmissions(List<TraceEvent> events) {
        List<TraceEvent> out = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).pid() == 0 && events.get(i).kind() == TraceEvent.Kind.FUNC_ENTRY
                    && events.get(i).name().equals("tcp_retransmit_skb")) {
                int j = i;
                while (j < events.size() && events.get(j).pid() == 0) {
                    out.add(events.get(j++));
                }
            }
        }
        return out;
    }

    /** The TCP sock behind descriptor {@code fd} of the current process. */
    private static TcpSock sk(int fd) {
        File file = Process.current().files.fget(fd);
        TcpSock sk = Socket.sockFromFile(file).sk;
        file.fput();
        return sk;
    }

    /** Sleeps until the demo ends ({@code poll(NULL, 0, -1)}), so that the process keeps its sockets open. */
    private static void pause() {
        Select.poll(new PollFd[0], -1);
    }

    /** socket, bind to 127.0.0.1:80, listen: the listening descriptor. */
    private static int listener(int backlog) {
        int fd = (int) SocketCalls.socket(Socket.AF_INET, Socket.SOCK_STREAM, 0);
        SocketCalls.bind(fd, SERVER, SockaddrIn.SIZE);
        SocketCalls.listen(fd, backlog);
        return fd;
    }
}
