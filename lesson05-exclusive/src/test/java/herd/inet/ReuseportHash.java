package herd.inet;

import herd.socket.SockaddrIn;

/** For tests outside {@code herd.inet}: which member of a reuseport group a connection's SYN selects. */
public final class ReuseportHash {
    private ReuseportHash() {
    }

    /**
     * The member of a group of {@code n} listeners on port {@code dport} that a SYN from
     * 127.0.0.1:{@code sport} to 127.0.0.1 selects: {@code reciprocal_scale(inet_ehashfn(...), n)}.
     */
    public static int selected(int sport, int dport, int n) {
        int hash = InetHashtables.inetEhashfn(SockaddrIn.INADDR_LOOPBACK, dport, SockaddrIn.INADDR_LOOPBACK, sport);
        return SockReuseport.reciprocalScale(hash, n);
    }
}
