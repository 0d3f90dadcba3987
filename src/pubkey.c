/* SPDX-License-Identifier: ISC */
#include "pubkey.h"
