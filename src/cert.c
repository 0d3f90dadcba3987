/* SPDX-License-Identifier: ISC */
#include "cert.h"
