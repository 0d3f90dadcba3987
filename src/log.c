/* SPDX-License-Identifier: ISC */
#include "log.h"
