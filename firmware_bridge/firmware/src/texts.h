/* Fixed screen texts in GB2312, the encoding of the ST7920's built-in font.
 * Generated with Python: "投票箱".encode("gb2312") and so on. */
#ifndef BOX_TEXTS_H
#define BOX_TEXTS_H

#define GB_BALLOT_BOX "\xCD\xB6\xC6\xB1\xCF\xE4"                         /* 投票箱 */
#define GB_COUNTED "\xD2\xD1\xBC\xC6\xC6\xB1"                            /* 已计票 */
#define GB_SHEETS "\xD5\xC5"                                             /* 张 */
#define GB_WAITING "\xB5\xC8\xB4\xFD\xBC\xC6\xC6\xB1\xD5\xBE\xC1\xAC\xBD\xD3" /* 等待计票站连接 */
#define GB_LINK_LOST "\xBC\xC6\xC6\xB1\xD5\xBE\xCE\xB4\xC1\xAC\xBD\xD3"      /* 计票站未连接 */

#endif
