import { headerRows } from './header.js'
import { jwtRows } from './jwt.js'
import { outageRows } from './outage.js'
import { routeRows } from './routes.js'
import { tokenRows } from './token.js'
import type { RowGroup } from './types.js'

/**
 * Every row group of the conformance table, run in this order against every subject. To add rows
 * (e.g. JWT-format tokens), write a `RowGroup` in its own file and list it here.
 */
export const rowGroups: readonly RowGroup[] = [headerRows, tokenRows, routeRows, outageRows, jwtRows]
