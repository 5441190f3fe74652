package herd.inet;

/** include/linux/jhash.h: Bob Jenkins' hash, the three-word form the socket hashes use. */
final class Jhash {
    /** {@code JHASH_INITVAL}. */
    private static final int JHASH_INITVAL = 0xdeadbeef;

    private Jhash() {
    }

    /** {@code jhash_3words(a, b, c, initval)}. */
    static int jhash3words(int a, int b, int c, int initval) {
        int init = initval + JHASH_INITVAL + (3 << 2);
        a += init;
        b += init;
        c += init;
        // __jhash_final
        c ^= b;
        c -= Integer.rotateLeft(b, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        b ^= a;
        b -= Integer.rotateLeft(a, 25);
        c ^= b;
        c -= Integer.rotateLeft(b, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        b ^= a;
        b -= Integer.rotateLeft(a, 14);
        c ^= b;
        c -= Integer.rotateLeft(b, 24);
        return c;
    }
}
