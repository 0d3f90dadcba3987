/* SPDX-License-Identifier: ISC */
#include "record.h"
