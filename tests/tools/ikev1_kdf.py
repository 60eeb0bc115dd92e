#!/usr/bin/env python3
"""ikev1_kdf.py: an independent model of IKEv1 key derivation (RFC 2409 5,
Appendix B; RFC 3947 3.2) for tests/unit/test_ikev1_crypto.c.

Written from the RFC text alone with hashlib/hmac; CBC goes through the
`openssl enc` command line (-K/-iv/-nopad) rather than a Python AES.  For
the fixed inputs below it prints one line per value: "suite.name hex".
The C test embeds these lines and runs this script to check they still
agree, so neither side can drift alone.

Usage: ikev1_kdf.py          print every value
"""
import hashlib
import hmac
import subprocess
import sys

PRFS = {"md5": "md5", "sha1": "sha1", "sha256": "sha256",
        "sha384": "sha384", "sha512": "sha512"}
# name: (openssl enc cipher, key bytes, block bytes)
CIPHERS = {"aes128": ("aes-128-cbc", 16, 16), "aes192": ("aes-192-cbc", 24, 16),
           "aes256": ("aes-256-cbc", 32, 16), "3des": ("des-ede3-cbc", 24, 8)}

# suite name, hash, cipher, auth mode, PFS in quick mode
SUITES = [
    ("md5_3des_psk", "md5", "3des", "psk", False),
    ("sha1_aes128_psk", "sha1", "aes128", "psk", False),
    ("sha1_aes256_psk_pfs", "sha1", "aes256", "psk", True),
    ("sha1_3des_sig_pfs", "sha1", "3des", "sig", True),
    ("sha256_aes256_sig_pfs", "sha256", "aes256", "sig", True),
    ("sha384_aes192_psk", "sha384", "aes192", "psk", False),
    ("sha512_aes256_sig", "sha512", "aes256", "sig", False),
]


def fill(seed, n):
    """The fixed test inputs: byte i is (seed * 31 + i * 7) mod 256."""
    return bytes((seed * 31 + i * 7) & 0xFF for i in range(n))


PSK = b"roadgate-test-psk"
NI, NR = fill(1, 16), fill(2, 32)
GXY, GXI, GXR = fill(3, 128), fill(4, 128), fill(5, 128)
CKY_I, CKY_R = fill(6, 8), fill(7, 8)
SAI_B, IDII_B, IDIR_B = fill(8, 52), fill(9, 12), fill(10, 8)
MSG1, MSG2 = fill(11, 37), fill(12, 48)
QM_MSGID = 0x01020304
QM_NI, QM_NR, QM_GXY, QM_BODY = fill(13, 20), fill(14, 20), fill(15, 128), fill(16, 60)
SPI_IN, SPI_OUT = 0xC0FFEE01, 0x0BADCAFE
KEYMAT_LEN = 72
INFO_MSGID, INFO_BODY = 0xDEADBEEF, fill(17, 12)
ESP = 3  # PROTO_IPSEC_ESP (RFC 2407 4.4.1)


def prf(h, key, *parts):
    return hmac.new(key, b"".join(parts), h).digest()


def hsh(h, *parts):
    return hashlib.new(h, b"".join(parts)).digest()


def be32(v):
    return v.to_bytes(4, "big")


def pad(data, bs):
    """1..bs pad bytes, zeros, the last one the count before it."""
    n = bs - len(data) % bs
    return data + bytes(n - 1) + bytes([n - 1])


def cbc_encrypt(cipher, key, iv, data):
    out = subprocess.run(["openssl", "enc", "-" + cipher, "-K", key.hex(),
                          "-iv", iv.hex(), "-nopad"], input=data,
                         capture_output=True, check=True).stdout
    assert len(out) == len(data)
    return out


def suite(name, h, cname, mode, pfs):
    cipher, klen, bs = CIPHERS[cname]
    out = []

    def put(k, v):
        out.append("%s.%s %s" % (name, k, v.hex()))

    # RFC 2409 5: SKEYID per authentication method.
    if mode == "psk":
        skeyid = prf(h, PSK, NI, NR)
    else:
        skeyid = prf(h, NI + NR, GXY)
    d = prf(h, skeyid, GXY, CKY_I, CKY_R, b"\x00")
    a = prf(h, skeyid, d, GXY, CKY_I, CKY_R, b"\x01")
    e = prf(h, skeyid, a, GXY, CKY_I, CKY_R, b"\x02")
    # Appendix B: expand SKEYID_e when the cipher needs more.
    if klen <= len(e):
        ek = e[:klen]
    else:
        ka, k = b"", b"\x00"
        while len(ka) < klen:
            k = prf(h, e, k)
            ka += k
        ek = ka[:klen]
    for k, v in (("skeyid", skeyid), ("skeyid_d", d), ("skeyid_a", a),
                 ("skeyid_e", e), ("ek", ek)):
        put(k, v)
    put("hash_i", prf(h, skeyid, GXI, GXR, CKY_I, CKY_R, SAI_B, IDII_B))
    put("hash_r", prf(h, skeyid, GXR, GXI, CKY_R, CKY_I, SAI_B, IDIR_B))
    # Phase-1 IV, then two chained messages.
    iv = hsh(h, GXI, GXR)[:bs]
    put("iv1", iv)
    ct1 = cbc_encrypt(cipher, ek, iv, pad(MSG1, bs))
    put("ct1", ct1)
    ct2 = cbc_encrypt(cipher, ek, ct1[-bs:], pad(MSG2, bs))
    put("ct2", ct2)
    # A quick mode after phase 1: IV from the last phase-1 block.
    ivx = hsh(h, ct2[-bs:], be32(QM_MSGID))[:bs]
    put("ivx", ivx)
    put("qm_ct", cbc_encrypt(cipher, ek, ivx, pad(QM_BODY, bs)))
    mid = be32(QM_MSGID)
    put("qm_hash1", prf(h, a, mid, QM_BODY))
    put("qm_hash2", prf(h, a, mid, QM_NI, QM_BODY))
    put("qm_hash3", prf(h, a, b"\x00", mid, QM_NI, QM_NR))
    put("info_hash", prf(h, a, be32(INFO_MSGID), INFO_BODY))
    g = QM_GXY if pfs else b""
    for k, spi in (("keymat_in", SPI_IN), ("keymat_out", SPI_OUT)):
        seed = g + bytes([ESP]) + be32(spi) + QM_NI + QM_NR
        km, kn = b"", b""
        while len(km) < KEYMAT_LEN:
            kn = prf(h, d, kn, seed)
            km += kn
        put(k, km[:KEYMAT_LEN])
    # RFC 3947 3.2 NAT-D
    put("natd4", hsh(h, CKY_I, CKY_R, bytes([192, 0, 2, 1]),
                     (500).to_bytes(2, "big")))
    put("natd6", hsh(h, CKY_I, CKY_R,
                     bytes.fromhex("20010db8000000000000000000000001"),
                     (4500).to_bytes(2, "big")))
    return out


def main():
    for s in SUITES:
        for line in suite(*s):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
