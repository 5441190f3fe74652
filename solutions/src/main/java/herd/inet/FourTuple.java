package herd.inet;

/** The key of the established hash ({@code INET_MATCH}): a connection as seen from its local end. */
record FourTuple(int laddr, int lport, int raddr, int rport) {
    /** The key a received segment is looked up by: its destination is the local end. */
    static FourTuple of(SkBuff skb) {
        return new FourTuple(skb.daddr(), skb.dport(), skb.saddr(), skb.sport());
    }
}
