package herd.inet;

import static org.assertj.core.api.Assertions.assertThat;

import herd.socket.SockaddrIn;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The hashes that pick a {@code SO_REUSEPORT} listener, against values computed with the
 * kernel's own definitions (include/linux/jhash.h {@code jhash_3words}, net/ipv4/inet_hashtables.c
 * {@code inet_ehashfn}, include/linux/kernel.h {@code reciprocal_scale}) compiled as C with
 * {@code u32} arithmetic. {@code SockReuseportTest} checks that each connection lands where
 * the hash says; this checks that the hash is the kernel's.
 */
class JhashTest {
    @Test
    @DisplayName("jhash_3words gives the kernel's values (lookup3's final mix, initval + JHASH_INITVAL + (3 << 2))")
    void jhash3wordsIsTheKernels() {
        assertThat(Integer.toHexString(Jhash.jhash3words(0, 0, 0, 0))).isEqualTo("1b68e557");
        assertThat(Integer.toHexString(Jhash.jhash3words(1, 2, 3, 0))).isEqualTo("a46158f5");
        assertThat(Integer.toHexString(Jhash.jhash3words(0xdeadbeef, 0xcafebabe, 0x12345678, 0x9abcdef0)))
                .isEqualTo("b9301382");
    }

    @Test
    @DisplayName("inet_ehashfn is jhash_3words(laddr, faddr, lport << 16 | fport, secret), the model's secret 0x5eedcafe")
    void inetEhashfnIsTheKernels() {
        int lo = SockaddrIn.INADDR_LOOPBACK;
        assertThat(Integer.toHexString(InetHashtables.inetEhashfn(lo, 80, lo, 32768))).isEqualTo("30c07b58");
        assertThat(Integer.toHexString(InetHashtables.inetEhashfn(lo, 80, lo + 1, 40000))).isEqualTo("6637bf8e");
        assertThat(Integer.toHexString(InetHashtables.inetEhashfn(lo, 8080, lo, 80))).isEqualTo("8217e928");
    }

    @Test
    @DisplayName("reciprocal_scale maps the hash, as an unsigned 32-bit value, onto [0, n): (u64) val * n >> 32")
    void reciprocalScaleIsTheKernels() {
        int[] vals = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xc0000000, 0x55555556};
        StringBuilder got = new StringBuilder();
        for (int val : vals) {
            got.append(String.format("%08x: %d %d %d%n", val, SockReuseport.reciprocalScale(val, 2),
                    SockReuseport.reciprocalScale(val, 3), SockReuseport.reciprocalScale(val, 5)));
        }
        assertThat(got.toString()).as("reciprocal_scale(val, 2), (val, 3), (val, 5)").isEqualTo(String.format(
                "00000000: 0 0 0%n00000001: 0 0 0%n7fffffff: 0 1 2%n80000000: 1 1 2%n"
                        + "ffffffff: 1 2 4%nc0000000: 1 2 3%n55555556: 0 1 1%n"));
    }
}
