#!/usr/bin/env python3
"""ikev2_kdf_check.py: recompute IKEv2 keys and compare them with roadgate's.

    ikev2_kdf_check.py [--expect N] FILE.json...

An implementation of RFC 7296 key derivation independent of roadgate's C
code, on Python's hashlib and hmac alone: prf and prf+ (2.13), SKEYSEED and
SK_* (2.14), CHILD_SA KEYMAT (2.17) and the IKE SA rekey (2.18).  Each FILE
(written by tests/unit/test_ikev2_kdf) holds one exchange: the transforms
the initiator offered, the IKE_SA_INIT messages as they were sent (parsed
here for SPIi, SPIr, Ni, Nr, the chosen transforms and the KE group), and
per step the Ni, Nr and g^ir of that step beside the keys the responder
derived (its SK_* and the ESP keys handed to the data plane).

Prints one line per compared key ("  ok ..." or "  MISMATCH ...") and exits
0 when all match (and, with --expect, exactly N keys were compared), 1 on
a mismatch, 2 on input it cannot use.
"""
import hashlib
import hmac
import json
import struct
import sys

# IANA "Transform Type 2" (PRF) ids -> hash.
PRF = {2: hashlib.sha1, 5: hashlib.sha256, 6: hashlib.sha384,
       7: hashlib.sha512}
# IANA "Transform Type 3" (INTEG) ids -> key bytes (RFC 2404, 4868).
INTEG_KEY = {0: 0, 2: 20, 12: 32, 13: 48, 14: 64}
# ENCR ids: AES-CBC (12) key = keylen/8; AES-GCM-16 (20) key + 4-byte salt
# (RFC 4106 8.1, RFC 5282 7.1).
AEAD = {20}
# KE groups -> length of g^ir (RFC 7296 2.14: MODP padded to the modulus;
# RFC 5903 7: the x coordinate; RFC 8031 3.1: 32 octets).
GIR_LEN = {2: 128, 14: 256, 15: 384, 16: 512, 19: 32, 20: 48, 21: 66,
           31: 32}


class Bad(Exception):
    pass


def encr_key_len(encr, keylen):
    if encr not in (12, 20) or keylen not in (128, 192, 256):
        raise Bad("encryption %d/%d not known here" % (encr, keylen))
    return keylen // 8 + (4 if encr in AEAD else 0)


def prf(h, key, data):
    """RFC 7296 2.13 with an HMAC: the key is used as is (HMAC hashes a
    key longer than a block)."""
    return hmac.new(key, data, h).digest()


def prf_plus(h, key, seed, n):
    """prf+ (K,S) = T1 | T2 | ...; T1 = prf(K, S | 0x01),
    Tk = prf(K, Tk-1 | S | k) (RFC 7296 2.13)."""
    out, t, k = b"", b"", 1
    while len(out) < n:
        if k > 255:
            raise Bad("prf+ past 255 iterations")
        t = prf(h, key, t + seed + bytes([k]))
        out += t
        k += 1
    return out[:n]


def payloads(msg):
    """The IKE header's SPIs and the unencrypted payload chain:
    [(type, body)] (RFC 7296 3.1, 3.2)."""
    if len(msg) < 28:
        raise Bad("message shorter than an IKE header")
    spi_i, spi_r, np, ver, exch, flags, msgid, length = struct.unpack(
        ">8s8sBBBBII", msg[:28])
    if length != len(msg):
        raise Bad("IKE length %d, message %d" % (length, len(msg)))
    out, off = [], 28
    while np != 0:
        if off + 4 > len(msg):
            raise Bad("payload header past the end")
        nxt, _, plen = struct.unpack(">BBH", msg[off:off + 4])
        if plen < 4 or off + plen > len(msg):
            raise Bad("payload length %d" % plen)
        out.append((np, msg[off + 4:off + plen]))
        np, off = nxt, off + plen
    return spi_i, spi_r, out


def find(pls, t):
    for typ, body in pls:
        if typ == t:
            return body
    raise Bad("no payload of type %d" % t)


def chosen(sa):
    """Transforms of the first proposal of an SA payload (3.3):
    {type: (id, keylen)}."""
    _, _, plen, num, proto, spisz, ntr = struct.unpack(">BBHBBBB", sa[:8])
    off, out = 8 + spisz, {}
    for _ in range(ntr):
        _, _, tlen, typ, _, tid = struct.unpack(">BBHBBH", sa[off:off + 8])
        keylen, a = 0, off + 8
        while a < off + tlen:
            at, av = struct.unpack(">HH", sa[a:a + 4])
            if at == 0x800E:    # Key Length, TV format
                keylen = av
            a += 4
        if typ in out:
            raise Bad("more than one transform of type %d chosen" % typ)
        out[typ] = (tid, keylen)
        off += tlen
    return out


class Check:
    def __init__(self, name):
        self.name, self.n, self.bad = name, 0, 0

    def eq(self, what, want, got):
        self.n += 1
        if hmac.compare_digest(want, got):
            print("  ok %s %s (%d octets)" % (self.name, what, len(want)))
        else:
            self.bad += 1
            print("  MISMATCH %s %s\n    RFC 7296: %s\n    roadgate: %s" %
                  (self.name, what, want.hex(), got.hex()))


def ike_keys(h, skeyseed, seed, integ, ekl):
    """{SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
    = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr) (RFC 7296 2.14)."""
    pl, al = h().digest_size, INTEG_KEY[integ]
    names = [("sk_d", pl), ("sk_ai", al), ("sk_ar", al), ("sk_ei", ekl),
             ("sk_er", ekl), ("sk_pi", pl), ("sk_pr", pl)]
    km = prf_plus(h, skeyseed, seed, sum(n for _, n in names))
    out, off = {}, 0
    for name, n in names:
        out[name] = km[off:off + n]
        off += n
    return out


def cmp_ike(c, what, keys, got, auth):
    # SK_pi and SK_pr of a rekeyed IKE SA are never used (RFC 7296 2.18);
    # roadgate wipes them once the SA is established.
    for name in ("sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er") + \
            (("sk_pi", "sk_pr") if auth else ()):
        c.eq("%s %s" % (what, name), keys[name], bytes.fromhex(got[name]))


def gir_of(step, group):
    gir = bytes.fromhex(step["gir"])
    if group and len(gir) != GIR_LEN[group]:
        raise Bad("%s: g^ir of %d octets for group %d (want %d)" %
                  (step["kind"], len(gir), group, GIR_LEN[group]))
    return gir


def run(doc, c):
    o = doc["offer"]
    h = PRF[o["prf"]]
    ekl = encr_key_len(o["encr"], o["encr_keylen"])
    integ = 0 if o["encr"] in AEAD else o["integ"]
    sk_d = ni0 = nr0 = None
    nchild = 0
    for st in doc["steps"]:
        kind = st["kind"]
        if kind == "init":
            m1, m2 = bytes.fromhex(st["msg1"]), bytes.fromhex(st["msg2"])
            spi_i, _, p1 = payloads(m1)
            spi_i2, spi_r, p2 = payloads(m2)
            if spi_i != spi_i2 or spi_r == bytes(8):
                raise Bad("IKE_SA_INIT SPIs do not pair")
            ni0, nr0 = find(p1, 40), find(p2, 40)
            ch = chosen(find(p2, 33))
            want = {1: (o["encr"], o["encr_keylen"]), 2: (o["prf"], 0),
                    4: (o["dh"], 0)}
            if integ:
                want[3] = (integ, 0)
            for t, v in want.items():
                if ch.get(t) != v:
                    raise Bad("SAr1 transform type %d: %r, offered %r" %
                              (t, ch.get(t), v))
            if 3 in ch and not integ:
                raise Bad("SAr1 has INTEG with an AEAD cipher")
            ke = find(p2, 34)
            if struct.unpack(">H", ke[:2])[0] != o["dh"]:
                raise Bad("KEr group differs from the offer")
            gir = gir_of(st, o["dh"])
            # SKEYSEED = prf(Ni | Nr, g^ir)
            skeyseed = prf(h, ni0 + nr0, gir)
            keys = ike_keys(h, skeyseed, ni0 + nr0 + spi_i + spi_r, integ,
                            ekl)
            cmp_ike(c, "IKE_SA_INIT", keys, st["keys"], True)
            sk_d = keys["sk_d"]
        elif kind == "ike_rekey":
            ni, nr = bytes.fromhex(st["ni"]), bytes.fromhex(st["nr"])
            gir = gir_of(st, o["dh"])
            spi = bytes.fromhex(st["spi_i"]) + bytes.fromhex(st["spi_r"])
            # SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the
            # old SA's prf (the same one here).
            skeyseed = prf(h, sk_d, gir + ni + nr)
            keys = ike_keys(h, skeyseed, ni + nr + spi, integ, ekl)
            cmp_ike(c, "IKE rekey", keys, st["keys"], False)
            sk_d = keys["sk_d"]
        elif kind in ("child_auth", "child_rekey"):
            nchild += 1
            if kind == "child_auth":
                ni, nr, gir = ni0, nr0, b""
            else:
                ni, nr = bytes.fromhex(st["ni"]), bytes.fromhex(st["nr"])
                gir = gir_of(st, o["pfs"]) if st["gir"] else b""
            e_in, e_out = st["in"], st["out"]
            for sa in (e_in, e_out):
                if (sa.get("encr"), sa.get("integ")) != (o["esp_encr"],
                                                        o["esp_integ"]):
                    raise Bad("%s: ESP SA %r, offered %d/%d" %
                              (kind, sa, o["esp_encr"], o["esp_integ"]))
            el = encr_key_len(o["esp_encr"], o["esp_keylen"])
            il = INTEG_KEY[o["esp_integ"]]
            # KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr); initiator to
            # responder first, encryption key before integrity key.
            km = prf_plus(h, sk_d, gir + ni + nr, 2 * (el + il))
            what = "CHILD_SA %d%s" % (nchild, " PFS" if gir else "")
            # Our inbound SA carries what the initiator sends.
            c.eq(what + " ESP encr i->r", km[:el],
                 bytes.fromhex(e_in["encr_key"]))
            c.eq(what + " ESP integ i->r", km[el:el + il],
                 bytes.fromhex(e_in["integ_key"]))
            c.eq(what + " ESP encr r->i", km[el + il:2 * el + il],
                 bytes.fromhex(e_out["encr_key"]))
            c.eq(what + " ESP integ r->i", km[2 * el + il:],
                 bytes.fromhex(e_out["integ_key"]))
        else:
            raise Bad("unknown step %r" % kind)


def main(argv):
    expect = None
    if len(argv) > 2 and argv[1] == "--expect":
        expect = int(argv[2])
        argv = argv[2:]
    if len(argv) < 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    rc = 0
    for path in argv[1:]:
        with open(path) as f:
            doc = json.load(f)
        c = Check(doc.get("name", path))
        try:
            run(doc, c)
        except (Bad, KeyError, ValueError, struct.error) as e:
            print("  UNUSABLE %s: %s" % (c.name, e))
            return 2
        if c.bad:
            rc = 1
        elif expect is not None and c.n != expect:
            print("  UNUSABLE %s: compared %d keys, expected %d" %
                  (c.name, c.n, expect))
            rc = 2
        print("  %s: %d keys compared, %d differ" % (c.name, c.n, c.bad))
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
