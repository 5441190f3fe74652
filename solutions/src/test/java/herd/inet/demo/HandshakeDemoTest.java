package herd.inet.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.DemoOutput;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

@Isolated("it captures System.out, which concurrent course checks print to")
class HandshakeDemoTest {
    private static final String ADDR = "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}";

    private static List<String> runDemo() {
        return DemoOutput.lines(HandshakeDemo::main);
    }

    @Test
    void oneConnectionThenTheBacklog() {
        List<String> lines = runDemo();
        int backlog = lines.indexOf("=== the backlog: listen(fd, 1), three non-blocking connects, nobody accepts ===");
        assertThat(backlog).as("the backlog part").isPositive();
        List<String> one = lines.subList(0, backlog);
        List<String> two = lines.subList(backlog, lines.size());

        assertThat(one).as("the server sleeps in epoll_wait; the client's connect() wakes it; accept4 takes the "
                + "connection from port 32768").containsSubsequence(
                "[pid   100] socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "[pid   100] bind(3, " + ADDR + ", 16) = 0",
                "[pid   100] listen(3, 511) = 0",
                "[pid   100] epoll_ctl(4, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}) = 0",
                "[pid   100] epoll_wait(4,  <unfinished ...>",
                "[pid   101] socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3",
                "[pid   101] connect(3, " + ADDR + ", 16) = 0",
                "[pid   100] <... epoll_wait resumed>[{events=EPOLLIN, data={u32=3, u64=3}}], 1, -1) = 1",
                "[pid   100] accept4(3, {sa_family=AF_INET, sin_port=htons(32768), sin_addr=inet_addr(\"127.0.0.1\")}, "
                        + "[16 => 16], SOCK_NONBLOCK) = 5");

        assertThat(one).as("the SYN: the listener answers with the SYN-ACK from the client's softirq").containsSubsequence(
                "     0.000017 |       client-101 |   inet_stream_connect() {",
                "     0.000018 |       client-101 |     tcp_v4_connect() {",
                "     0.000019 |       client-101 |       tcp_connect() {",
                "     0.000021 |       client-101 |         net_rx_action() {",
                "     0.000022 |       client-101 |           tcp_v4_rcv() {",
                "     0.000023 |       client-101 |             __inet_lookup_listener();",
                "     0.000025 |       client-101 |               tcp_rcv_state_process() {",
                "     0.000026 |       client-101 |                 tcp_conn_request() {",
                "     0.000027 |       client-101 |                   tcp_v4_send_synack() {",
                "     0.000029 |       client-101 |           tcp_v4_rcv();");
        assertThat(one).as("the SYN-ACK waited on the client's backlog (tcp_v4_rcv was a leaf); release_sock "
                + "processes it and sends the final ACK, whose tcp_child_process wakes the server through epoll")
                .containsSubsequence(
                "     0.000030 |       client-101 |     tcp_v4_do_rcv() {",
                "     0.000031 |       client-101 |       tcp_rcv_state_process() {",
                "     0.000032 |       client-101 |         sock_def_wakeup();",
                "     0.000033 |       client-101 |         tcp_send_ack() {",
                "     0.000036 |       client-101 |             tcp_v4_rcv() {",
                "     0.000037 |       client-101 |               tcp_check_req() {",
                "     0.000038 |       client-101 |                 tcp_v4_syn_recv_sock();",
                "     0.000039 |       client-101 |                 inet_csk_reqsk_queue_add();",
                "     0.000040 |       client-101 |               tcp_child_process() {",
                "     0.000041 |       client-101 |                 tcp_rcv_state_process() {",
                "     0.000044 |       client-101 |                 sock_def_readable() {",
                "     0.000045 |       client-101 |                   __wake_up() {",
                "     0.000046 |       client-101 |                     __wake_up_common() {",
                "     0.000047 |       client-101 |                       ep_poll_callback() {",
                "     0.000053 |       client-101 |                                   /* sched_wakeup: server-100 */",
                "     0.000053 |       client-101 |   /* sys_exit: connect = 0 */");
        assertThat(one).as("the Mermaid diagram: the client wakes the server").contains(
                "```mermaid", "    client_101->>server_100: try_to_wake_up");

        assertThat(two).as("three non-blocking connects to listen(fd, 1)").containsSubsequence(
                "[pid   200] listen(3, 1) = 0",
                "[pid   201] connect(3, " + ADDR + ", 16) = -1 EINPROGRESS (Operation now in progress)",
                "[pid   202] connect(3, " + ADDR + ", 16) = -1 EINPROGRESS (Operation now in progress)",
                "[pid   203] connect(3, " + ADDR + ", 16) = -1 EINPROGRESS (Operation now in progress)");
        assertThat(two).as("backlog 1 holds two (full only ABOVE it); the third SYN overflowed").containsSubsequence(
                "accept queue: 2 connections (sk_ack_backlog 2, sk_max_ack_backlog 1: full only ABOVE it)",
                "SYN queue:    0 requests",
                "TcpExtListenOverflows  1",
                "TcpExtListenDrops      1",
                "TcpPassiveOpens        2",
                "client3: SYN-SENT: its SYN was dropped; its retransmit timer will send it again.");
    }

    /**
     * net/ipv4/tcp_timer.c: {@code tcp_retransmit_timer} runs from the timer, 1 s after the
     * SYN ({@code TCP_TIMEOUT_INIT}), then 2 s later ({@code icsk_rto} doubled), for a
     * client that does nothing (its non-blocking connect returned long ago).
     */
    @Test
    void theNonBlockingClientsSynIsResentByItsTimer() {
        List<String> lines = runDemo();
        int later = lines.indexOf("=== then time passes: the server accepts one connection at 1.5 s ===");
        assertThat(later).as("the part where time passes").isPositive();
        List<String> three = lines.subList(later, lines.size());
        assertThat(three).as("the timer resends at 1 s (dropped) and at 3 s (admitted); the handshake ends in timer "
                + "context").containsSubsequence(
                "     1.000000 |         <idle>-0 |   tcp_retransmit_skb() {",
                "     1.000007 |         <idle>-0 |           tcp_conn_request();",
                "     3.000000 |         <idle>-0 |   tcp_retransmit_skb() {",
                "     3.000008 |         <idle>-0 |             tcp_v4_send_synack() {",
                "     3.000017 |         <idle>-0 |       tcp_check_req() {",
                "     3.000024 |         <idle>-0 |         sock_def_readable();",
                "TcpExtListenOverflows  2",
                "TcpPassiveOpens        3",
                "client3: ESTAB, without calling anything.");
    }
}
