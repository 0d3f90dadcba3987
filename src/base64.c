/* SPDX-License-Identifier: ISC */
#include "base64.h"
