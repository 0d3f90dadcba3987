/* SPDX-License-Identifier: ISC */
#include "cakey.h"
