# lumo onenet token: the tokens of PROTOCOLS.md 5.4 and the shared vector,
# the key from the environment, JSON output, a default expiry in the future,
# and usage errors that never show more of the key than its first characters.
. "$(dirname "$0")/lib.sh"

KEY=MTIzNDU2Nzg5MGFiY2RlZjEyMzQ1Njc4OTBhYmNkZWY=

"$LUMO" onenet token --product 123123 --device mydev --key "$KEY" --et 1537255523 \
  --method sha256 >"$TMP/out" 2>&1
check_status "token" 0 $?
check_contains "token, sha256" "$TMP/out" \
  "version=2018-10-31&res=products%2F123123%2Fdevices%2Fmydev&et=1537255523&method=sha256&sign=kWmFRZgTZ4W%2BU4YC5UCbaqbHJ0bRDTqPJRowM8x8lsE%3D"

LUMO_ONENET_KEY=rs2FaE5BuygJZkWKDA5okKt1RFpwOx53hbu6hwyCS4U= \
  "$LUMO" onenet token --product 469948 --device Chic_D --et 1673053248 --method sha1 \
  >"$TMP/out" 2>&1
check_status "key from the environment" 0 $?
check_contains "the published QuecPython token" "$TMP/out" \
  "version=2018-10-31&res=products%2F469948%2Fdevices%2FChic_D&et=1673053248&method=sha1&sign=prIMDQ23WFI6PMj2IWpaRJJL4eE%3D"

"$LUMO" onenet token --product 123123 --key "$KEY" --et 1537255523 --method sha1 --json \
  >"$TMP/out" 2>&1
check_status "--json" 0 $?
check_contains "--json, product-level" "$TMP/out" \
  '{"token":"version=2018-10-31&res=products%2F123123&et=1537255523&method=sha1&sign=0%2BjpZeJubcPz4dll0sTqcwPohEU%3D","res":"products/123123","et":1537255523,"method":"sha1"}'

now=$(date +%s)
"$LUMO" onenet token --product 1 --device d --key "$KEY" --lifetime 3600 >"$TMP/out" 2>&1
check_status "--lifetime" 0 $?
et=$(sed -n 's/.*&et=\([0-9]*\)&.*/\1/p' "$TMP/out")
if [ -n "$et" ] && [ "$et" -ge $((now + 3600)) ] && [ "$et" -le $((now + 3610)) ]; then
  pass
else
  fail "--lifetime 3600: et=$et, now=$now"
fi

"$LUMO" onenet token --product 1 --device d --key 'SECRETnotbase64!' >"$TMP/out" 2>&1
check_status "bad key" 2 $?
check_contains "bad key" "$TMP/out" "is not base64"
check_not_contains "the key is not shown" "$TMP/out" "notbase64"
"$LUMO" onenet token --product 1 --device d --key "$KEY" --method sha512 >"$TMP/out" 2>&1
check_status "bad method" 2 $?
check_contains "bad method" "$TMP/out" "--method must be md5, sha1 or sha256, not 'sha512'"
"$LUMO" onenet token --device d --key "$KEY" >"$TMP/out" 2>&1
check_status "no product" 2 $?
check_contains "no product" "$TMP/out" "give the product id with --product"
env -u LUMO_ONENET_KEY "$LUMO" onenet token --product 1 >"$TMP/out" 2>&1
check_status "no key" 2 $?
check_contains "no key" "$TMP/out" "give the key with --key or in \$LUMO_ONENET_KEY"
"$LUMO" onenet token --product 1 --device a/b --key "$KEY" >"$TMP/out" 2>&1
check_status "bad device name" 2 $?
check_contains "bad device name" "$TMP/out" "holds '/', '+' or '#'"
"$LUMO" onenet token --help >"$TMP/out" 2>&1
check_status "token --help" 0 $?
check_contains "token --help" "$TMP/out" "usage: lumo onenet token"
"$LUMO" onenet frob >"$TMP/out" 2>&1
check_status "unknown onenet command" 2 $?
check_contains "unknown onenet command" "$TMP/out" "unknown command 'frob'"

finish
