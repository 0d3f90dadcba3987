/* SPDX-License-Identifier: ISC */
#include "session.h"
