package herd.inet;

import static herd.inet.TcpSock.TCP_LISTEN;

import herd.locking.SpinLock;
import herd.socket.SockaddrIn;
import herd.trace.Ftrace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code struct inet_hashinfo} (net/ipv4/inet_hashtables.c, inet_connection_sock.c): the
 * established hash (connections and request socks by their four-tuple), the listening
 * hash (listeners by port) and the bind hash (every socket holding a port), with the
 * lookups {@code tcp_v4_rcv} does and the port rules of {@code bind()}.
 */
public final class InetHashtables {
    /** {@code ip_local_port_range}'s default: where {@code connect()} takes a port from ({@link Net#ipLocalPortLow}). */
    public static final int LOCAL_PORT_LOW = 32768;
    public static final int LOCAL_PORT_HIGH = 60999;

    private final SpinLock lock = new SpinLock();
    private final Map<FourTuple, Object> ehash = new HashMap<>();
    private final Map<Integer, List<TcpSock>> lhash = new HashMap<>();
    private final Map<Integer, List<TcpSock>> bhash = new HashMap<>();
    /** Where the next search for a free local port starts, counted from the low end of the range. */
    private int portOffset;

    // ---- the established hash -----------------------------------------------------------

    /** {@code __inet_lookup_established()}: the socket or request sock {@code skb} belongs to, or null. */
    Object lookupEstablished(SkBuff skb) {
        lock.lock();
        try {
            return ehash.get(FourTuple.of(skb));
        } finally {
            lock.unlock();
        }
    }

    /** {@code inet_ehash_insert()} of a request sock ({@code inet_csk_reqsk_queue_hash_add}). */
    void ehashInsert(RequestSock req) {
        lock.lock();
        try {
            ehash.put(req.key(), req);
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code inet_ehash_nolisten()}: the child takes its request's place; false if the
     * request was gone already (another CPU completed or dropped it), so this child does
     * not own it.
     */
    boolean ehashReplace(RequestSock req, TcpSock child) {
        lock.lock();
        try {
            return ehash.replace(req.key(), req, child);
        } finally {
            lock.unlock();
        }
    }

    /** {@code inet_ehash_insert()} of a connecting socket; false if its four-tuple is taken. */
    private boolean ehashInsert(FourTuple key, TcpSock sk) {
        return ehash.putIfAbsent(key, sk) == null;
    }

    /** Removes {@code entry} (a socket or a request sock) from the established hash ({@code inet_unhash}, {@code reqsk_queue_unlink}); true if it was there. */
    boolean ehashRemove(FourTuple key, Object entry) {
        lock.lock();
        try {
            return ehash.remove(key, entry);
        } finally {
            lock.unlock();
        }
    }

    // ---- the listening hash -------------------------------------------------------------

    /** {@code __inet_hash()}: a new listener goes first in its port's chain. */
    void listenHash(TcpSock sk) {
        lock.lock();
        try {
            lhash.computeIfAbsent(sk.num, p -> new ArrayList<>()).add(0, sk);
        } finally {
            lock.unlock();
        }
    }

    /** {@code inet_unhash()} of a listener. */
    void listenUnhash(TcpSock sk) {
        lock.lock();
        try {
            List<TcpSock> chain = lhash.get(sk.num);
            if (chain != null) {
                chain.remove(sk);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The listeners of {@code port}, newest first. */
    List<TcpSock> listeners(int port) {
        lock.lock();
        try {
            return List.copyOf(lhash.getOrDefault(port, List.of()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code __inet_lookup_listener()}: {@code inet_lhash2_lookup()} first among the
     * listeners bound to the destination address (the lhash2 bucket of (daddr, port)),
     * then, only if none is found, among the wildcard ones (the bucket of (INADDR_ANY,
     * port)). In each the first listener wins (the newest: the chain is newest first); a
     * listener with {@code SO_REUSEPORT} hands over to the member of its group the
     * connection's hash selects.
     */
    TcpSock lookupListener(Net net, SkBuff skb) {
        try (var fn = Ftrace.enter("__inet_lookup_listener")) {
            List<TcpSock> chain = listeners(skb.dport());
            TcpSock result = inetLhash2Lookup(chain, skb, skb.daddr());
            if (result == null) {
                result = inetLhash2Lookup(chain, skb, SockaddrIn.INADDR_ANY);
            }
            return result;
        }
    }

    /** {@code inet_lhash2_lookup()} over the listeners of {@code chain} bound to {@code addr}. */
    private static TcpSock inetLhash2Lookup(List<TcpSock> chain, SkBuff skb, int addr) {
        for (TcpSock sk : chain) {
            if (sk.skState != TCP_LISTEN || sk.rcvSaddr != addr) {
                continue;
            }
            if (sk.skReuseport) {
                int hash = inetEhashfn(skb.daddr(), skb.dport(), skb.saddr(), skb.sport());
                TcpSock chosen = SockReuseport.reuseportSelectSock(sk, hash);
                if (chosen != null) {
                    return chosen;
                }
            }
            return sk;
        }
        return null;
    }

    /**
     * {@code inet_ehashfn()}: {@code jhash_3words(laddr, faddr, lport << 16 | fport, secret)}.
     * The kernel draws the secret at boot; the model's is fixed, so runs repeat.
     */
    static int inetEhashfn(int laddr, int lport, int faddr, int fport) {
        return Jhash.jhash3words(laddr, faddr, lport << 16 | fport, 0x5eed_cafe);
    }

    // ---- the bind hash ------------------------------------------------------------------

    /**
     * {@code inet_csk_get_port()}: takes port {@code snum} for {@code sk} (a free port from
     * {@code ip_local_port_range} when 0); false on a conflict, or when no port of the range
     * is free ({@code EADDRINUSE}).
     */
    boolean getPort(TcpSock sk, int snum) {
        lock.lock();
        try {
            int port = snum == 0 ? findOpenPort(sk.net) : snum;
            if (port == 0) {
                return false;
            }
            List<TcpSock> owners = bhash.computeIfAbsent(port, p -> new ArrayList<>());
            if (bindConflict(sk, owners)) {
                return false;
            }
            if (!owners.contains(sk)) {
                owners.add(sk);
            }
            sk.num = port;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code inet_csk_bind_conflict()} as {@code bind()} and {@code listen()} call it
     * (relax and reuseport_ok both true): another owner of the port on an overlapping
     * address conflicts unless both set {@code SO_REUSEADDR} and the other is not
     * listening, or both set {@code SO_REUSEPORT} under the same user and this socket
     * has no reuseport group yet.
     */
    private static boolean bindConflict(TcpSock sk, List<TcpSock> owners) {
        for (TcpSock sk2 : owners) {
            if (sk2 == sk || !rcvSaddrEqual(sk, sk2)) {
                continue;
            }
            if (sk.skReuse && sk2.skReuse && sk2.skState != TCP_LISTEN) {
                continue;
            }
            if (sk.skReuseport && sk2.skReuseport && sk.skReuseportCb == null && sk.skUid == sk2.skUid) {
                continue;
            }
            return true;
        }
        return false;
    }

    /** {@code inet_rcv_saddr_equal()} with a wildcard matching every address. */
    private static boolean rcvSaddrEqual(TcpSock sk, TcpSock sk2) {
        return sk.rcvSaddr == sk2.rcvSaddr || sk.rcvSaddr == SockaddrIn.INADDR_ANY
                || sk2.rcvSaddr == SockaddrIn.INADDR_ANY;
    }

    /**
     * The next port of {@code net}'s {@code ip_local_port_range} nobody holds: the ports are
     * tried in turn, wrapping, from the one after the last port handed out; 0 (no port, as
     * {@code inet_num} 0 means) when all are taken. A failed search tries each port once and
     * so leaves the start where it was: the kernel too moves its start
     * ({@code table_perturb}) only when it found a port. (The kernel's start is randomised
     * and it tries ports of one parity first; the model's order is plain, so runs repeat.)
     */
    private int findOpenPort(Net net) {
        int low = net.ipLocalPortLow;
        int range = net.ipLocalPortHigh - low + 1;
        for (int i = 0; i < range; i++) {
            int port = low + portOffset++ % range;
            List<TcpSock> owners = bhash.get(port);
            if (owners == null || owners.isEmpty()) {
                return port;
            }
        }
        return 0;
    }

    /** {@code __inet_inherit_port()}: a child holds its listener's port too. */
    void inheritPort(TcpSock child) {
        lock.lock();
        try {
            bhash.computeIfAbsent(child.num, p -> new ArrayList<>()).add(child);
        } finally {
            lock.unlock();
        }
    }

    /** {@code inet_put_port()}: {@code sk} gives its port back and has none ({@code inet_num = 0}). */
    void putPort(TcpSock sk) {
        lock.lock();
        try {
            List<TcpSock> owners = bhash.get(sk.num);
            if (owners != null) {
                owners.remove(sk);
                if (owners.isEmpty()) {
                    bhash.remove(sk.num);
                }
            }
            sk.num = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code inet_hash_connect()}: a port for a connecting socket that has none, then its
     * four-tuple in the established hash; false when no port is free ({@code EADDRNOTAVAIL}).
     */
    boolean hashConnect(TcpSock sk) {
        lock.lock();
        try {
            if (sk.num == 0) {
                int port = findOpenPort(sk.net);
                if (port == 0) {
                    return false;
                }
                bhash.computeIfAbsent(port, p -> new ArrayList<>()).add(sk);
                sk.num = port;
            }
            return ehashInsert(new FourTuple(sk.rcvSaddr, sk.num, sk.daddr, sk.dport), sk);
        } finally {
            lock.unlock();
        }
    }
}
