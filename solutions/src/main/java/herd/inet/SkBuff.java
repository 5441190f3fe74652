package herd.inet;

import herd.socket.SockaddrIn;

/**
 * A TCP segment in flight ({@code struct sk_buff} with its IP and TCP headers): the two
 * endpoints, the flags and the payload. Sequence numbers, windows and options are not
 * modelled. {@link #toString()} prints it as tcpdump does.
 */
public record SkBuff(int saddr, int sport, int daddr, int dport, int flags, byte[] data) {
    /** {@code TCPHDR_FIN}. */
    public static final int FIN = 0x01;
    /** {@code TCPHDR_SYN}. */
    public static final int SYN = 0x02;
    /** {@code TCPHDR_RST}. */
    public static final int RST = 0x04;
    /** {@code TCPHDR_PSH}. */
    public static final int PSH = 0x08;
    /** {@code TCPHDR_ACK}. */
    public static final int ACK = 0x10;
    private static final byte[] NONE = new byte[0];

    /** A segment without payload. */
    public SkBuff(int saddr, int sport, int daddr, int dport, int flags) {
        this(saddr, sport, daddr, dport, flags, NONE);
    }

    /** True if every flag of {@code mask} is set. */
    public boolean has(int mask) {
        return (flags & mask) == mask;
    }

    /** The reply's direction: this segment's destination becomes the source. */
    public SkBuff reply(int replyFlags) {
        return new SkBuff(daddr, dport, saddr, sport, replyFlags);
    }

    @Override
    public String toString() {
        StringBuilder f = new StringBuilder();
        if ((flags & SYN) != 0) {
            f.append('S');
        }
        if ((flags & FIN) != 0) {
            f.append('F');
        }
        if ((flags & RST) != 0) {
            f.append('R');
        }
        if ((flags & PSH) != 0) {
            f.append('P');
        }
        if ((flags & ACK) != 0) {
            f.append('.');
        }
        return SockaddrIn.ntoa(saddr) + "." + sport + " > " + SockaddrIn.ntoa(daddr) + "." + dport
                + ": Flags [" + f + "]" + (data.length > 0 ? ", length " + data.length : "");
    }
}
