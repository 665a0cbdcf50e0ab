/**
 * Where simulated people live, with weights: mostly Russian time zones, the neighbours, and
 * a diaspora further away, so waking hours overlap for most pairs but not for all.
 */
export const TIME_ZONES: readonly (readonly [string, number])[] = [
  ['Europe/Moscow', 0.44],
  ['Europe/Kaliningrad', 0.02],
  ['Europe/Samara', 0.04],
  ['Asia/Yekaterinburg', 0.08],
  ['Asia/Omsk', 0.03],
  ['Asia/Novosibirsk', 0.05],
  ['Asia/Krasnoyarsk', 0.03],
  ['Asia/Irkutsk', 0.02],
  ['Asia/Vladivostok', 0.02],
  ['Europe/Minsk', 0.04],
  ['Europe/Kyiv', 0.03],
  ['Asia/Almaty', 0.03],
  ['Asia/Tashkent', 0.02],
  ['Asia/Tbilisi', 0.01],
  ['Asia/Yerevan', 0.01],
  ['Europe/Istanbul', 0.01],
  ['Europe/Berlin', 0.03],
  ['Europe/London', 0.02],
  ['Asia/Dubai', 0.01],
  ['Asia/Bangkok', 0.01],
  ['America/New_York', 0.02],
  ['America/Los_Angeles', 0.01],
  ['Asia/Tokyo', 0.01],
];
