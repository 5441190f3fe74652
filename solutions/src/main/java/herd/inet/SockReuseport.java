package herd.inet;

import herd.locking.SpinLock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code struct sock_reuseport} (net/core/sock_reuseport.c): the listeners that share
 * an address and port through {@code SO_REUSEPORT}, in {@code listen()} order. A SYN
 * picks one of them by the connection's hash, so each has its own accept queue and
 * only its own waiters are woken. Used only by sockets that set the option.
 */
final class SockReuseport {
    /** {@code reuseport_lock}: one for every group; it serialises the groups' changes. */
    private static final SpinLock REUSEPORT_LOCK = new SpinLock();
    /** {@code socks[]}: the members, {@code num_socks} of them; read without the lock, as under RCU. */
    final List<TcpSock> socks = new CopyOnWriteArrayList<>();

    /**
     * {@code inet_reuseport_add_sock()}: at {@code listen()}, {@code sk} joins the group of
     * a listener of its port with {@code SO_REUSEPORT}, the same address and the same
     * user ({@code reuseport_add_sock}), or starts a group of its own ({@code reuseport_alloc}).
     */
    static void inetReuseportAddSock(TcpSock sk, List<TcpSock> listeners) {
        // @exercise L05-E4 inet_reuseport_add_sock: join the group of a listener on the same port and address
        //   with SO_REUSEPORT and the same uid, else start a group with sk alone
        for (TcpSock sk2 : listeners) {
            if (sk2 != sk && sk2.skReuseport && sk2.skReuseportCb != null && sk2.rcvSaddr == sk.rcvSaddr
                    && sk2.skUid == sk.skUid) {
                SockReuseport reuse = sk2.skReuseportCb;
                REUSEPORT_LOCK.lock();
                try {
                    reuse.socks.add(sk);
                } finally {
                    REUSEPORT_LOCK.unlock();
                }
                sk.skReuseportCb = reuse;
                return;
            }
        }
        SockReuseport reuse = new SockReuseport();
        reuse.socks.add(sk);
        sk.skReuseportCb = reuse;
        // @end L05-E4
    }

    /** {@code reuseport_detach_sock()}: the last member takes the leaving one's place, so the order changes. */
    static void reuseportDetachSock(TcpSock sk) {
        SockReuseport reuse = sk.skReuseportCb;
        // @exercise L05-E4 reuseport_detach_sock: move the last member into sk's slot and shrink the group
        REUSEPORT_LOCK.lock();
        try {
            int i = reuse.socks.indexOf(sk);
            TcpSock last = reuse.socks.remove(reuse.socks.size() - 1);
            if (last != sk) {
                reuse.socks.set(i, last);
            }
        } finally {
            REUSEPORT_LOCK.unlock();
        }
        sk.skReuseportCb = null;
        // @end L05-E4
    }

    /**
     * {@code reuseport_select_sock()} without a BPF program: member
     * {@code reciprocal_scale(hash, num_socks)} of {@code sk}'s group; null when
     * {@code sk} has no group yet (it is not listening).
     */
    static TcpSock reuseportSelectSock(TcpSock sk, int hash) {
        SockReuseport reuse = sk.skReuseportCb;
        if (reuse == null) {
            return null;
        }
        // @exercise L05-E4 reuseport_select_sock: pick socks[reciprocal_scale(hash, num_socks)] from one
        //   snapshot of the members
        Object[] socks = reuse.socks.toArray();
        int n = socks.length;
        return n == 0 ? null : (TcpSock) socks[reciprocalScale(hash, n)];
        // @end L05-E4
    }

    /** {@code reciprocal_scale()}: maps a 32-bit value onto {@code [0, epRo)} by multiplication. */
    static int reciprocalScale(int val, int epRo) {
        return (int) (((val & 0xffffffffL) * epRo) >>> 32);
    }
}
