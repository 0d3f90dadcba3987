/* SPDX-License-Identifier: ISC */
#include "duration.h"
