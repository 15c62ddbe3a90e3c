#!/bin/sh
# Makes throwaway CAs and server certificates for the test shop:
#   OUTDIR/ca.pem, OUTDIR/server.pem, OUTDIR/server.key      (the shop's)
#   OUTDIR/wrong-ca.pem, OUTDIR/wrong-server.pem, OUTDIR/wrong-server.key
#       (an unrelated CA, for "a cert from the wrong CA is refused")
# Server certs: CN=localhost, SAN DNS:localhost, IP:127.0.0.1.
set -eu
out=${1:?usage: make-ca.sh OUTDIR}
OPENSSL=${OPENSSL:-openssl}
mkdir -p "$out"
umask 077

mk() { # prefix ca-name
	p=$1
	$OPENSSL req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 -sha256 \
		-keyout "$out/${p}ca.key" -out "$out/${p}ca.pem" \
		-subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
	$OPENSSL req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
		-keyout "$out/${p}server.key" -out "$out/${p}server.csr" \
		-subj "/CN=localhost" 2>/dev/null
	printf '%s\n' \
		"basicConstraints=CA:FALSE" \
		"keyUsage=critical,digitalSignature,keyEncipherment" \
		"extendedKeyUsage=serverAuth" \
		"subjectAltName=DNS:localhost,IP:127.0.0.1" >"$out/${p}ext.cnf"
	$OPENSSL x509 -req -in "$out/${p}server.csr" -CA "$out/${p}ca.pem" \
		-CAkey "$out/${p}ca.key" -CAcreateserial -days 30 -sha256 \
		-extfile "$out/${p}ext.cnf" -out "$out/${p}server.pem" 2>/dev/null
	rm -f "$out/${p}server.csr" "$out/${p}ext.cnf" "$out/${p}ca.srl"
}

mk "" "dovecot-shoper test CA"
mk "wrong-" "unrelated test CA"
chmod 644 "$out/ca.pem" "$out/server.pem" "$out/wrong-ca.pem" \
	"$out/wrong-server.pem"
