package herd.inet;

/** The SNMP counters the model keeps (include/uapi/linux/snmp.h), named as {@code nstat} prints them. */
public enum Mib {
    /** {@code LINUX_MIB_LISTENOVERFLOWS}: a SYN or a final ACK found the accept queue full. */
    LISTEN_OVERFLOWS("TcpExtListenOverflows"),
    /** {@code LINUX_MIB_LISTENDROPS} ({@code tcp_listendrop}): any SYN or final ACK a listener dropped. */
    LISTEN_DROPS("TcpExtListenDrops"),
    /** {@code LINUX_MIB_TCPREQQFULLDROP}: a SYN dropped because the SYN queue was full (no syncookies). */
    REQ_Q_FULL_DROP("TcpExtTCPReqQFullDrop"),
    /** {@code TCP_MIB_ACTIVEOPENS}: SYNs sent by {@code connect()}. */
    ACTIVE_OPENS("TcpActiveOpens"),
    /** {@code TCP_MIB_PASSIVEOPENS}: children created by listeners. */
    PASSIVE_OPENS("TcpPassiveOpens"),
    /** {@code TCP_MIB_OUTRSTS}: resets sent. */
    OUT_RSTS("TcpOutRsts");

    private final String nstatName;

    Mib(String nstatName) {
        this.nstatName = nstatName;
    }

    /** The name {@code nstat} prints. */
    public String nstatName() {
        return nstatName;
    }
}
