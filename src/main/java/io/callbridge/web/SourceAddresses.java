package io.callbridge.web;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An allow-list of source addresses (IPv4 or IPv6 CIDR blocks, or single addresses). Literal addresses only:
 * nothing is ever resolved through DNS.
 */
final class SourceAddresses {
    private record Block(byte[] network, int prefix) {
    }

    private final List<Block> blocks = new ArrayList<>();

    SourceAddresses(List<String> cidrs) {
        for (String raw : cidrs) {
            String c = raw.trim();
            if (c.isEmpty()) {
                continue;
            }
            String[] parts = c.split("/", 2);
            byte[] address = literal(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("CALLBRIDGE_WEBHOOK_ALLOWED_IPS: '" + c + "' is not an IP address or CIDR block");
            }
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : address.length * 8;
            if (prefix < 0 || prefix > address.length * 8) {
                throw new IllegalArgumentException("CALLBRIDGE_WEBHOOK_ALLOWED_IPS: bad prefix in '" + c + "'");
            }
            blocks.add(new Block(address, prefix));
        }
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    boolean allows(String source) {
        byte[] address = literal(source);
        if (address == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.network().length == address.length && samePrefix(b.network(), address, b.prefix())) {
                return true;
            }
        }
        return false;
    }

    private static boolean samePrefix(byte[] a, byte[] b, int prefix) {
        int bits = a.length * 8;
        BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                .xor(BigInteger.ONE.shiftLeft(bits - prefix).subtract(BigInteger.ONE));
        return new BigInteger(1, a).and(mask).equals(new BigInteger(1, b).and(mask));
    }

    /** The bytes of a literal IPv4/IPv6 address; null for anything else (host names are not looked up). */
    private static byte[] literal(String s) {
        if (s == null) {
            return null;
        }
        String t = s.trim();
        if (!t.matches("[0-9.]+") && !(t.contains(":") && t.matches("[0-9A-Fa-f:.]+"))) {
            return null;
        }
        try {
            return InetAddress.getByName(t).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
