/** @since 0.3.0 */
export const html = ""
/** @since 0.3.0 */
export const script = ""
/** @since 0.3.0 */
export const style = ""
