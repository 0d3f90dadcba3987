#!/bin/sh
# SPDX-License-Identifier: ISC
# module-abi.sh VERSION OUTPUT HEADER...: write OUTPUT, a C header that
# names what cassh-signer and its LDAP module must agree on: the
# version, and a hash of the headers whose structures they share.
set -eu
version=$1
out=$2
shift 2
hash=$(cat "$@" | sha256sum | cut -c1-16)
printf '#define CASSH_MODULE_ABI "%s+%s"\n' "$version" "$hash" >"$out"
